# Trace + compile vs eager, for each op alone and for the MLP.
nnc_unit_test(JitTests SOURCES JitTest.cpp SavedGraphTest.cpp LIBS NNCJit)
