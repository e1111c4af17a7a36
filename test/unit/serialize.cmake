# Saving and loading: safetensors files (among them files PyTorch wrote,
# test/golden/serialize/), module and optimizer state_dicts.
nnc_unit_test(SerializeTests
  SOURCES SerializeTest.cpp
  LIBS NNCEager GTest::gmock nlohmann_json::nlohmann_json)
target_compile_definitions(SerializeTests PRIVATE
  NNC_SERIALIZE_GOLDEN_DIR="${PROJECT_SOURCE_DIR}/test/golden/serialize")
