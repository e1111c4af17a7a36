# Channels-last convolutions (nn-layout) and frozen compilation
# (CompileOptions::freeze): a ResNet-style block and 1x1 convolutions
# compiled with the layout pass on and off, frozen and live, against eager
# (issue 6).
nnc_unit_test(LayoutTests SOURCES LayoutTest.cpp LIBS NNCJit)
