# The eager front end (tensors, ops, Halide kernels, trace hook) and the
# runtime (thread pool, memory, Executable argument checks).
nnc_unit_test(EagerTests
  SOURCES EagerTensorTest.cpp EagerOpsTest.cpp EagerTraceTest.cpp
    TensorDTypeTest.cpp TensorIndexingTest.cpp TensorMathTest.cpp
    TensorGradTest.cpp TensorGoldenTest.cpp
  LIBS NNCEager GTest::gmock)
# PyTorch's results for the tensor ops (scripts/golden/make_tensor_goldens.py).
target_compile_definitions(EagerTests PRIVATE
  NNC_TENSOR_GOLDEN_DIR="${PROJECT_SOURCE_DIR}/test/golden/tensor")
nnc_unit_test(RuntimeTests SOURCES RuntimeTest.cpp LIBS NNCRuntime)
