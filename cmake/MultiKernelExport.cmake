# multikernel_export_library(target export_name)
#
# Installs a library of the compiler side into the MultiKernelTargets export
# set as MultiKernel::<export_name>, with the include directories a consumer
# needs: ours and those of the MLIR/LLVM it was built against.
function(multikernel_export_library target export_name)
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${export_name})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${MULTIKERNEL_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${MULTIKERNEL_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    $<INSTALL_INTERFACE:${MLIR_INCLUDE_DIRS}>
    $<INSTALL_INTERFACE:${LLVM_INCLUDE_DIRS}>
    )
  install(TARGETS ${target} EXPORT MultiKernelTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endfunction()
