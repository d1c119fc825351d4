"""Exceptions raised by the multikernel package."""


class MLIRError(Exception):
    """MLIR reported errors: parsing, verification or a pass pipeline.

    `diagnostics` holds (severity, location, message) tuples, in order.
    """

    def __init__(self, summary, diagnostics):
        self.diagnostics = list(diagnostics)
        lines = [summary] + [
            f"{location}: {severity}: {message}"
            for severity, location, message in self.diagnostics
        ]
        super().__init__("\n".join(lines))

    @property
    def message(self):
        """The message of the first error diagnostic, if any."""
        for severity, _, message in self.diagnostics:
            if severity == "error":
                return message
        return ""

    @property
    def location(self):
        """The location of the first error diagnostic, if any."""
        for severity, location, _ in self.diagnostics:
            if severity == "error":
                return location
        return ""


class CompileError(RuntimeError):
    """multikernel-compile failed; the message holds what it reported."""


class CompileWarning(UserWarning):
    """multikernel-compile succeeded with warnings (e.g. size hints that fit
    no op of the module, which then got the automatic ones); the message
    holds what it reported."""
