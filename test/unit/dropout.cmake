#===- test/unit/dropout.cmake - DropoutTests -----------------------------===#
# Dropout and the counter-based generator, eager and compiled.
nnc_unit_test(DropoutTests SOURCES DropoutTest.cpp LIBS NNCJit GTest::gmock)
