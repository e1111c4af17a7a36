# compile_step parity with eager training (issue 3).
nnc_unit_test(TrainStepTests SOURCES TrainStepTest.cpp LIBS NNCJit)
