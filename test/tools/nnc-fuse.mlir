// The nnc driver forms fusion regions by default (one kernel each), prints
// nn-fuse's decisions with --nn-fuse-report, turns fusion off with
// --fuse=false, and sets the parallel threshold with --min-parallel-work.

// RUN: nnc %s --nn-fuse-report -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT
// REPORT: nn-fuse: @layer: nn.add#1 -> nn.relu#2: fused: saves 512 bytes
// REPORT-NEXT: nn-fuse: @layer: nn.matmul#0 -> nn.add#1: fused: saves 512 bytes
// REPORT-NEXT: nn-fuse: @layer: 1 regions of 3 ops, 1024 bytes of traffic saved

// RUN: nnc %s | FileCheck %s --check-prefix=KERNEL
// KERNEL-LABEL: llvm.func @layer(
// KERNEL:         llvm.call @layer_fusion0(
// KERNEL-LABEL: llvm.func internal @layer_fusion0(
// KERNEL-NOT:     nnc_runtime_parallel_for

// RUN: nnc %s --fuse=false | FileCheck %s --check-prefix=UNFUSED
// UNFUSED-NOT: @layer_fusion0

// RUN: nnc %s --min-parallel-work=0 | FileCheck %s --check-prefix=PARALLEL
// PARALLEL-LABEL: llvm.func internal @layer_fusion0(
// PARALLEL:         llvm.call @nnc_runtime_parallel_for(

// RUN: nnc %s --emit=llvm --min-parallel-work=0 | FileCheck %s --check-prefix=LLVMIR
// LLVMIR: declare void @nnc_runtime_parallel_for(i64, i64, ptr, ptr)
func.func @layer(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %0 = nn.matmul %x, %w : tensor<4x8xf32>, tensor<8x16xf32>
  %1 = nn.add %0, %b : tensor<4x16xf32>, tensor<16xf32>
  %2 = nn.relu %1 : tensor<4x16xf32>
  return %2 : tensor<4x16xf32>
}
