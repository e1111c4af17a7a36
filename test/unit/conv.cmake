# Eager conv2d and 2-D pooling (frontend/nn/ConvFunctional.h) and their
# modules, against PyTorch's results (test/golden/conv/, written by
# scripts/golden/make_conv_goldens.py) and central differences.
nnc_unit_test(ConvTests
  SOURCES ConvTest.cpp
  LIBS NNCEager GTest::gmock nlohmann_json::nlohmann_json)
target_compile_definitions(ConvTests PRIVATE
  NNC_CONV_GOLDEN_DIR="${PROJECT_SOURCE_DIR}/test/golden/conv")
