#===- test/unit/data.cmake - DataTests: nnc::data and nnc::metrics -------===#
# Datasets, DataLoader, the CSV and IDX readers, MNIST, one_hot, metrics and
# the progress bar; readers and metrics against PyTorch's values in
# test/golden/{data,metrics} (made by scripts/golden/make_data_goldens.py).
nnc_unit_test(DataTests SOURCES DataTest.cpp MetricsTest.cpp
  LIBS NNCEager GTest::gmock)
target_compile_definitions(DataTests PRIVATE
  NNC_GOLDEN_DIR="${PROJECT_SOURCE_DIR}/test/golden")
