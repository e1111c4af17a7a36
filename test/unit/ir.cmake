nnc_unit_test(NNBuildersTest SOURCES NNBuildersTest.cpp LIBS MLIRNN MLIR)
