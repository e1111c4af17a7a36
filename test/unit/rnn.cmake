#===- test/unit/rnn.cmake - RNNTests: nn::RNN, LSTM, GRU -----------------===#
# The recurrent layers against PyTorch (test/golden/rnn, made by
# scripts/golden/make_rnn_goldens.py), compiled, and in a compiled step.
nnc_unit_test(RNNTests SOURCES RNNTest.cpp LIBS NNCJit GTest::gmock)
target_compile_definitions(RNNTests PRIVATE
  NNC_GOLDEN_DIR="${PROJECT_SOURCE_DIR}/test/golden")
