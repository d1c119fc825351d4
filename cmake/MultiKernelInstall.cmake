# Install rules: headers, libraries, tools, and a MultiKernelConfig.cmake so
# that another compiler does
#
#   find_package(MultiKernel REQUIRED CONFIG)
#   target_link_libraries(mycompiler PRIVATE MultiKernel::Dialect)
#
# The exported targets link MLIR's shared library, so the package config
# finds MLIR itself (the same MLIR this tree was built against).

include(CMakePackageConfigHelpers)

set(MULTIKERNEL_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/MultiKernel)

install(DIRECTORY ${MULTIKERNEL_SOURCE_DIR}/include/multikernel
                  ${MULTIKERNEL_SOURCE_DIR}/include/multikernel-c
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h" PATTERN "*.td"
        PATTERN "CMakeFiles" EXCLUDE)
install(DIRECTORY ${MULTIKERNEL_BINARY_DIR}/include/multikernel
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.inc"
        PATTERN "CMakeFiles" EXCLUDE)

install(EXPORT MultiKernelTargets
        NAMESPACE MultiKernel::
        DESTINATION ${MULTIKERNEL_INSTALL_CMAKEDIR})

configure_package_config_file(
  ${MULTIKERNEL_SOURCE_DIR}/cmake/MultiKernelConfig.cmake.in
  ${MULTIKERNEL_BINARY_DIR}/cmake/MultiKernelConfig.cmake
  INSTALL_DESTINATION ${MULTIKERNEL_INSTALL_CMAKEDIR})
write_basic_package_version_file(
  ${MULTIKERNEL_BINARY_DIR}/cmake/MultiKernelConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES ${MULTIKERNEL_BINARY_DIR}/cmake/MultiKernelConfig.cmake
              ${MULTIKERNEL_BINARY_DIR}/cmake/MultiKernelConfigVersion.cmake
        DESTINATION ${MULTIKERNEL_INSTALL_CMAKEDIR})
