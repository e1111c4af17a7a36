# The generated code's f32 exp (codegen/ApproximateMath.cpp) against libm's
# in double: ulp bound over the whole range, and the special values.
nnc_unit_test(ApproximateMathTests SOURCES ApproximateMathTest.cpp LIBS NNCJit)
