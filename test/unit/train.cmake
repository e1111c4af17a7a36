# The training slice of the eager front end: autograd, nn modules, losses,
# optimizers, int64 targets and in-place ops.
nnc_unit_test(TrainTests
  SOURCES AutogradTest.cpp EagerTrainOpsTest.cpp ModuleTest.cpp OptimTest.cpp
  LIBS NNCEager GTest::gmock)
