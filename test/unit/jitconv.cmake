# Conv2d and pooling traced and compiled vs eager: each op alone, the
# SmallCNN forward, and compile_step training the SmallCNN (issue 5);
# every case of PyTorch's goldens in test/golden/conv/ compiled (forward
# and gradients).
nnc_unit_test(JitConvTests SOURCES JitConvTest.cpp
  LIBS NNCJit nlohmann_json::nlohmann_json)
target_compile_definitions(JitConvTests PRIVATE
  NNC_CONV_GOLDEN_DIR="${PROJECT_SOURCE_DIR}/test/golden/conv")
