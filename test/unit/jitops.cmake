#===- test/unit/jitops.cmake - JitOpsTests: tensor ops compiled vs eager ===#
# The dtype, comparison, indexing, join and reduction ops (issue 4) traced,
# compiled and compared with eager.
nnc_unit_test(JitOpsTests SOURCES JitOpsTest.cpp LIBS NNCJit)
