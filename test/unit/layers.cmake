# LayerNorm, BatchNorm1d/2d, Embedding, LeakyReLU and GELU (issue 5):
# eagerly against PyTorch's results (test/golden/layers/, written by
# scripts/golden/make_layer_goldens.py), traced and compiled against eager,
# and BatchNorm's running statistics inside a compiled training step.
nnc_unit_test(LayersTests SOURCES LayersTest.cpp LIBS NNCJit GTest::gmock)
target_compile_definitions(LayersTests PRIVATE
  NNC_LAYERS_GOLDEN_DIR="${PROJECT_SOURCE_DIR}/test/golden/layers")
