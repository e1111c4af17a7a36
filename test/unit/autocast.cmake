# Mixed precision (issue 5): AutocastGuard's casting rules, eagerly against
# PyTorch's bf16 autocast (test/golden/amp/, written by
# scripts/golden/make_amp_goldens.py), and compiled under a guard (compile
# and compile_step, bf16 and f16) against eager.
nnc_unit_test(AutocastTests SOURCES AutocastTest.cpp LIBS NNCJit GTest::gmock)
target_compile_definitions(AutocastTests PRIVATE
  NNC_GOLDEN_DIR="${PROJECT_SOURCE_DIR}/test/golden")
