# nnc-tile-convolutions' channels-last kernel JIT-compiled from the linalg
# form the NHWC lowering emits, against a direct sum.
nnc_unit_test(TileConvolutionsTests
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/TileConvolutionsTest.cpp
  LIBS NNCCodegen NNCRuntime MLIRNN MLIR)
