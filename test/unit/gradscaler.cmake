# Loss scaling for float16 mixed precision (issue 5): amp::GradScaler's
# backoff/growth rule, skipped steps, unscale_ ordering errors, state_dict,
# and float16 training against float32. Eager only (no PyTorch goldens:
# PyTorch 1.13's GradScaler runs only on CUDA).
nnc_unit_test(GradScalerTests SOURCES GradScalerTest.cpp LIBS NNCEager
  GTest::gmock)
