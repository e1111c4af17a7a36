# SGD, Adam, AdamW, RMSprop, Adagrad, param groups and LR schedulers
# (issue 5): eagerly against PyTorch (test/golden/optim/, written by
# scripts/golden/make_optim_goldens.py) and inside compile_step against
# eager.
nnc_unit_test(OptimParityTests
  SOURCES OptimParityTest.cpp
  LIBS NNCJit GTest::gmock nlohmann_json::nlohmann_json)
target_compile_definitions(OptimParityTests PRIVATE
  NNC_OPTIM_GOLDEN_DIR="${PROJECT_SOURCE_DIR}/test/golden/optim")
