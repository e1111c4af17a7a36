#===- test/unit/autodiff.cmake - AutodiffTests: VJPs vs finite differences ===#
# Every differentiable nn op's compiled gradient against central differences
# of its compiled forward function. AutodiffHarness.{h,cpp} is reusable by
# suites that compare compiled gradients with the eager tape.
nnc_unit_test(AutodiffTests
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/AutodiffTests.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/AutodiffHarness.cpp
  LIBS NNCCodegen NNCPasses NNCRuntime MLIRNN MLIR)
