// Loop nests reach the LLVM optimizer with their outer loops marked not to
// be unrolled: here the rows of the padded input copy and the taps of the
// convolution, around loops over a whole row. Fully unrolled, each row or
// tap would get its own copy of the vectorized inner loop (28 or 9 copies
// of its vector body, epilogue and runtime checks), which made compile time
// grow with image sizes.
// The kernel (a private function) has internal linkage: once inlined into
// the entry point, it is not compiled a second time on its own (its
// parallel tasks' entries, called through the thread pool, remain).

// RUN: nnc %s --emit=llvm | FileCheck %s
// CHECK-NOT:  define {{.*}}@pad_rows_fusion0(
// CHECK:      define void @pad_rows(
// CHECK-NOT:  define {{.*}}@pad_rows_fusion0(
// CHECK-DAG:  ![[ROLLED:[0-9]+]] = !{!"llvm.loop.unroll.disable"}
// CHECK-DAG:  ![[OUTER:[0-9]+]] = distinct !{![[OUTER]], ![[ROLLED]]}

func.func @pad_rows(%x: tensor<1x1x28x28xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<1x1x28x28xf32> {
  %y = nn.conv2d %x, %w stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<1x1x28x28xf32>, tensor<1x1x3x3xf32>
  return %y : tensor<1x1x28x28xf32>
}
