# compile_step parity with eager training (issue 3).
nnc_unit_test(TrainStepTests SOURCES TrainStepTest.cpp LIBS NNCJit)
# nn-autodiff's VJPs against the eager autograd tape, op by op.
nnc_unit_test(VjpVsTapeTests SOURCES VjpVsTapeTest.cpp LIBS NNCJit)
