# The eager front end (tensors, ops, Halide kernels, trace hook) and the
# runtime (thread pool, memory, Executable argument checks).
nnc_unit_test(EagerTests
  SOURCES EagerTensorTest.cpp EagerOpsTest.cpp EagerTraceTest.cpp
  LIBS NNCEager GTest::gmock)
nnc_unit_test(RuntimeTests SOURCES RuntimeTest.cpp LIBS NNCRuntime)
