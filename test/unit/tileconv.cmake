# nnc-tile-convolutions' channels-last kernel JIT-compiled from the linalg
# form the NHWC lowering emits, and the 1x1 NCHW convolution's three passes
# from nn ops, against direct sums.
nnc_unit_test(TileConvolutionsTests
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/TileConvolutionsTest.cpp
  LIBS NNCCodegen NNCRuntime MLIRNN MLIR)
