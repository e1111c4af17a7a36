# Conv2d and pooling traced and compiled vs eager: each op alone, the
# SmallCNN forward, and compile_step training the SmallCNN (issue 5).
nnc_unit_test(JitConvTests SOURCES JitConvTest.cpp LIBS NNCJit)
