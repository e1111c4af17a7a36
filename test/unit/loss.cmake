# Issue 5's losses (frontend/nn/LossFunctional.h, frontend/nn/Loss.h):
# eager outputs and gradients against PyTorch's (test/golden/loss/, written
# by scripts/golden/make_loss_goldens.py), each loss traced and compiled
# against eager, and compile_step training with them against eager steps.
nnc_unit_test(LossTests
  SOURCES LossTest.cpp
  LIBS NNCJit GTest::gmock nlohmann_json::nlohmann_json)
target_compile_definitions(LossTests PRIVATE
  NNC_LOSS_GOLDEN_DIR="${PROJECT_SOURCE_DIR}/test/golden/loss")
