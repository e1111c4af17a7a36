// RUN: nnc-opt %s -split-input-file --nn-fuse | FileCheck %s
// RUN: nnc-opt %s -split-input-file --nn-fuse=report=true 2>&1 >/dev/null | FileCheck %s --check-prefix=REPORT

// Fusion classes of the dtype, comparison and indexing ops: comparisons,
// where, clamp and conversions are elementwise (a bool intermediate stays in
// the kernel); gathers and scatters are barriers.

// clamp -> gt -> where: one region; the i1 mask never reaches memory.
// CHECK-LABEL: func.func @masked_relu6
// CHECK:         %[[R:.*]] = nn.fusion -> tensor<128x256xf32> {
// CHECK-NEXT:      nn.clamp
// CHECK-NEXT:      nn.gt
// CHECK-NEXT:      nn.where
// CHECK-NEXT:      nn.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[R]]
// REPORT: nn-fuse: @masked_relu6: nn.gt#2 -> nn.where#3: fused: saves 65536 bytes
// REPORT-NEXT: nn-fuse: @masked_relu6: nn.clamp#1 -> nn.where#3: fused: saves 262144 bytes
// REPORT-NEXT: nn-fuse: @masked_relu6: 1 regions of 3 ops, 327680 bytes of traffic saved
func.func @masked_relu6(%x: tensor<128x256xf32>, %t: tensor<256xf32>) -> tensor<128x256xf32> {
  %zero = nn.constant dense<0.0> : tensor<f32>
  %0 = nn.clamp %x min = 0.0 max = 6.0 : tensor<128x256xf32>
  %1 = nn.gt %0, %t : tensor<128x256xf32>, tensor<256xf32>
  %2 = nn.where %1, %0, %zero : tensor<128x256xi1>, tensor<128x256xf32>, tensor<f32>
  return %2 : tensor<128x256xf32>
}

// -----

// A gather reads at data-dependent positions: it stays outside regions and
// splits the elementwise ops around it.
// CHECK-LABEL: func.func @gather_barrier
// CHECK:         %[[E:.*]] = nn.fusion -> tensor<128x256xf32> {
// CHECK-NEXT:      nn.exp
// CHECK-NEXT:      nn.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[G:.*]] = nn.gather %[[E]]
// CHECK-NEXT:    nn.fusion -> tensor<128x1xf32> {
// CHECK-NEXT:      nn.neg %[[G]]
// REPORT: nn-fuse: @gather_barrier: nn.gather#1 -> nn.neg#2: not fused: nn.gather is not fusible
// REPORT-NEXT: nn-fuse: @gather_barrier: 2 regions of 2 ops, 0 bytes of traffic saved
func.func @gather_barrier(%x: tensor<128x256xf32>, %i: tensor<128x1xi64>) -> tensor<128x1xf32> {
  %0 = nn.exp %x : tensor<128x256xf32>
  %1 = nn.gather %0, %i dim = 1 : tensor<128x256xf32>, tensor<128x1xi64>
  %2 = nn.neg %1 : tensor<128x1xf32>
  return %2 : tensor<128x1xf32>
}
