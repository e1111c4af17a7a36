#===- test/unit/bf16gemm.cmake - BF16GemmTests: bf16 products ------------===#
# bf16 x bf16 -> f32 matrix products compiled with vdpbf16ps where the
# target has AVX512-BF16 (odd k, tiles that do not divide the sizes) against
# an f64 reference, and the f32-FMA path for a target without it; large f32
# products over the same packed panels of B (PackedF32GemmTest).
nnc_unit_test(BF16GemmTests SOURCES BF16GemmTest.cpp LIBS NNCJit)
