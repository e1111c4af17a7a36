// RUN: nnc-opt %s -split-input-file --nn-fuse | FileCheck %s
// RUN: nnc-opt %s -split-input-file --nn-fuse=report=true 2>&1 >/dev/null | FileCheck %s --check-prefix=REPORT

// nn-fuse forms one nn.fusion per future kernel: elementwise chains,
// reductions with their prologues and epilogues, matmul with elementwise
// epilogues. The report (stderr) names every candidate edge by op name and
// position in the function body, and says why it was or was not fused.

// An elementwise/broadcast chain is one region; the intermediates (2 x 128 KiB
// each, written once and read once) never reach memory.
// CHECK-LABEL: func.func @elementwise_chain
// CHECK:         %[[R:.*]] = nn.fusion -> tensor<128x256xf32> {
// CHECK-NEXT:      nn.add
// CHECK-NEXT:      nn.exp
// CHECK-NEXT:      nn.tanh
// CHECK-NEXT:      nn.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[R]]
// REPORT: nn-fuse: @elementwise_chain: nn.exp#1 -> nn.tanh#2: fused: saves 262144 bytes
// REPORT-NEXT: nn-fuse: @elementwise_chain: nn.add#0 -> nn.exp#1: fused: saves 262144 bytes
// REPORT-NEXT: nn-fuse: @elementwise_chain: 1 regions of 3 ops, 524288 bytes of traffic saved
func.func @elementwise_chain(%x: tensor<128x256xf32>, %b: tensor<256xf32>) -> tensor<128x256xf32> {
  %0 = nn.add %x, %b : tensor<128x256xf32>, tensor<256xf32>
  %1 = nn.exp %0 : tensor<128x256xf32>
  %2 = nn.tanh %1 : tensor<128x256xf32>
  return %2 : tensor<128x256xf32>
}

// -----

// Softmax spelled out: two reductions with their prologues and epilogues in
// one region. exp feeds both the sum and the division; it joins once both
// are inside (a later sweep), so the report says fused for both edges.
// CHECK-LABEL: func.func @softmax
// CHECK:         nn.fusion -> tensor<64x128xf32> {
// CHECK-NEXT:      nn.max
// CHECK-NEXT:      nn.sub
// CHECK-NEXT:      nn.exp
// CHECK-NEXT:      nn.sum
// CHECK-NEXT:      nn.div
// CHECK-NEXT:      nn.yield
// CHECK-NOT:     nn.fusion
// REPORT: nn-fuse: @softmax: nn.exp#2 -> nn.div#4: fused: saves 65536 bytes
// REPORT-NEXT: nn-fuse: @softmax: nn.sum#3 -> nn.div#4: fused: saves 512 bytes
// REPORT-NEXT: nn-fuse: @softmax: nn.exp#2 -> nn.sum#3: fused: saves 65536 bytes
// REPORT-NEXT: nn-fuse: @softmax: nn.sub#1 -> nn.exp#2: fused: saves 65536 bytes
// REPORT-NEXT: nn-fuse: @softmax: nn.max#0 -> nn.sub#1: fused: saves 512 bytes
// REPORT-NEXT: nn-fuse: @softmax: 1 regions of 5 ops, 132096 bytes of traffic saved
func.func @softmax(%x: tensor<64x128xf32>) -> tensor<64x128xf32> {
  %0 = nn.max %x dims = [1] keepdim : tensor<64x128xf32>
  %1 = nn.sub %x, %0 : tensor<64x128xf32>, tensor<64x1xf32>
  %2 = nn.exp %1 : tensor<64x128xf32>
  %3 = nn.sum %2 dims = [1] keepdim : tensor<64x128xf32>
  %4 = nn.div %2, %3 : tensor<64x128xf32>, tensor<64x1xf32>
  return %4 : tensor<64x128xf32>
}

// -----

// Log-softmax + NLL (against one-hot targets): the reduction op, its
// elementwise epilogue and the final mean form one region.
// CHECK-LABEL: func.func @log_softmax_nll
// CHECK:         nn.fusion -> tensor<f32> {
// CHECK-NEXT:      nn.log_softmax
// CHECK-NEXT:      nn.mul
// CHECK-NEXT:      nn.sum
// CHECK-NEXT:      nn.neg
// CHECK-NEXT:      nn.yield
// REPORT: nn-fuse: @log_softmax_nll: nn.sum#2 -> nn.neg#3: fused: saves 8 bytes
// REPORT-NEXT: nn-fuse: @log_softmax_nll: nn.mul#1 -> nn.sum#2: fused: saves 5120 bytes
// REPORT-NEXT: nn-fuse: @log_softmax_nll: nn.log_softmax#0 -> nn.mul#1: fused: saves 5120 bytes
// REPORT-NEXT: nn-fuse: @log_softmax_nll: 1 regions of 4 ops, 10248 bytes of traffic saved
func.func @log_softmax_nll(%logits: tensor<64x10xf32>, %onehot: tensor<64x10xf32>) -> tensor<f32> {
  %0 = nn.log_softmax %logits dim = 1 : tensor<64x10xf32>
  %1 = nn.mul %0, %onehot : tensor<64x10xf32>, tensor<64x10xf32>
  %2 = nn.sum %1 dims = [0, 1] : tensor<64x10xf32>
  %3 = nn.neg %2 : tensor<f32>
  return %3 : tensor<f32>
}

// -----

// Mean with an elementwise prologue (a hand-written MSE); the square reads
// its producer twice, which is one edge.
// CHECK-LABEL: func.func @mean_of_squares
// CHECK:         nn.fusion -> tensor<f32> {
// CHECK-NEXT:      nn.sub
// CHECK-NEXT:      nn.mul
// CHECK-NEXT:      nn.mean
// CHECK-NEXT:      nn.yield
// REPORT: nn-fuse: @mean_of_squares: nn.mul#1 -> nn.mean#2: fused: saves 1024 bytes
// REPORT-NEXT: nn-fuse: @mean_of_squares: nn.sub#0 -> nn.mul#1: fused: saves 1024 bytes
// REPORT-NEXT: nn-fuse: @mean_of_squares: 1 regions of 3 ops, 2048 bytes of traffic saved
func.func @mean_of_squares(%a: tensor<16x8xf32>, %b: tensor<16x8xf32>) -> tensor<f32> {
  %0 = nn.sub %a, %b : tensor<16x8xf32>, tensor<16x8xf32>
  %1 = nn.mul %0, %0 : tensor<16x8xf32>, tensor<16x8xf32>
  %2 = nn.mean %1 dims = [0, 1] : tensor<16x8xf32>
  return %2 : tensor<f32>
}

// -----

// A matmul with its elementwise epilogue (bias add, activation).
// CHECK-LABEL: func.func @matmul_epilogue
// CHECK:         nn.fusion -> tensor<32x128xf32> {
// CHECK-NEXT:      nn.matmul
// CHECK-NEXT:      nn.add
// CHECK-NEXT:      nn.relu
// CHECK-NEXT:      nn.yield
// REPORT: nn-fuse: @matmul_epilogue: nn.add#1 -> nn.relu#2: fused: saves 32768 bytes
// REPORT-NEXT: nn-fuse: @matmul_epilogue: nn.matmul#0 -> nn.add#1: fused: saves 32768 bytes
func.func @matmul_epilogue(%x: tensor<32x64xf32>, %w: tensor<64x128xf32>, %b: tensor<128xf32>) -> tensor<32x128xf32> {
  %0 = nn.matmul %x, %w : tensor<32x64xf32>, tensor<64x128xf32>
  %1 = nn.add %0, %b : tensor<32x128xf32>, tensor<128xf32>
  %2 = nn.relu %1 : tensor<32x128xf32>
  return %2 : tensor<32x128xf32>
}

// -----

// Must not fuse: two matmuls never share a region, even when one consumer
// reads both. The second becomes a region of its own.
// CHECK-LABEL: func.func @two_matmuls
// CHECK:         %[[MM2:.*]] = nn.fusion -> tensor<8x8xf32> {
// CHECK-NEXT:      nn.matmul %arg0, %arg2
// CHECK-NEXT:      nn.yield
// CHECK:         nn.fusion -> tensor<8x8xf32> {
// CHECK-NEXT:      nn.matmul %arg0, %arg1
// CHECK-NEXT:      nn.add %{{.*}}, %[[MM2]]
// CHECK-NEXT:      nn.yield
// REPORT: nn-fuse: @two_matmuls: nn.matmul#0 -> nn.add#2: fused: saves 512 bytes
// REPORT-NEXT: nn-fuse: @two_matmuls: nn.matmul#1 -> nn.add#2: not fused: the region already holds an nn.matmul
// REPORT-NEXT: nn-fuse: @two_matmuls: 2 regions of 3 ops, 512 bytes of traffic saved
func.func @two_matmuls(%x: tensor<8x8xf32>, %w1: tensor<8x8xf32>, %w2: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %0 = nn.matmul %x, %w1 : tensor<8x8xf32>, tensor<8x8xf32>
  %1 = nn.matmul %x, %w2 : tensor<8x8xf32>, tensor<8x8xf32>
  %2 = nn.add %0, %1 : tensor<8x8xf32>, tensor<8x8xf32>
  return %2 : tensor<8x8xf32>
}

// -----

// Must not fuse: a matmul is never a prologue of another matmul, and a
// matmul read by two regions with a matmul each is not duplicated into
// both (nor are the two matmuls merged into one region).
// CHECK-LABEL: func.func @matmul_chain_and_fanout
// CHECK-COUNT-4: nn.fusion
// CHECK-NOT:     nn.fusion
// REPORT: nn-fuse: @matmul_chain_and_fanout: nn.matmul#2 -> nn.matmul#4: not fused: would duplicate nn.matmul (it has users outside the region)
// REPORT-NEXT: nn-fuse: @matmul_chain_and_fanout: nn.matmul#2 -> nn.sigmoid#3: not fused: would duplicate nn.matmul (it has users outside the region)
// REPORT-NEXT: nn-fuse: @matmul_chain_and_fanout: nn.relu#1 -> nn.matmul#2: not fused: nn.matmul takes epilogues, not prologues
// REPORT-NEXT: nn-fuse: @matmul_chain_and_fanout: nn.matmul#0 -> nn.relu#1: fused: saves 512 bytes
// REPORT-NEXT: nn-fuse: @matmul_chain_and_fanout: 4 regions of 5 ops, 512 bytes of traffic saved
func.func @matmul_chain_and_fanout(%x: tensor<8x8xf32>, %w: tensor<8x8xf32>) -> (tensor<8x8xf32>, tensor<8x8xf32>) {
  %0 = nn.matmul %x, %w : tensor<8x8xf32>, tensor<8x8xf32>
  %1 = nn.relu %0 : tensor<8x8xf32>
  %2 = nn.matmul %1, %w : tensor<8x8xf32>, tensor<8x8xf32>
  %3 = nn.sigmoid %2 : tensor<8x8xf32>
  %4 = nn.matmul %2, %w : tensor<8x8xf32>, tensor<8x8xf32>
  return %3, %4 : tensor<8x8xf32>, tensor<8x8xf32>
}

// -----

// A matmul read by two elementwise regions is not duplicated either: the
// regions merge into one multi-output region that computes it once.
// CHECK-LABEL: func.func @matmul_two_epilogues
// CHECK:         %[[R:.*]]:2 = nn.fusion -> tensor<8x8xf32>, tensor<8x8xf32> {
// CHECK-NEXT:      nn.matmul
// CHECK-NEXT:      nn.sigmoid
// CHECK-NEXT:      nn.tanh
// CHECK-NEXT:      nn.yield
// CHECK:         return %[[R]]#0, %[[R]]#1
// REPORT: nn-fuse: @matmul_two_epilogues: nn.matmul#0 -> nn.tanh#2: fused: saves 512 bytes
// REPORT-NEXT: nn-fuse: @matmul_two_epilogues: nn.matmul#0 -> nn.sigmoid#1: fused: saves 512 bytes
// REPORT-NEXT: nn-fuse: @matmul_two_epilogues: merged the region of nn.matmul#0 with 2 region(s) reading it: saves 512 bytes
// REPORT-NEXT: nn-fuse: @matmul_two_epilogues: 1 regions of 3 ops, 512 bytes of traffic saved
func.func @matmul_two_epilogues(%x: tensor<8x8xf32>, %w: tensor<8x8xf32>) -> (tensor<8x8xf32>, tensor<8x8xf32>) {
  %0 = nn.matmul %x, %w : tensor<8x8xf32>, tensor<8x8xf32>
  %1 = nn.sigmoid %0 : tensor<8x8xf32>
  %2 = nn.tanh %0 : tensor<8x8xf32>
  return %1, %2 : tensor<8x8xf32>, tensor<8x8xf32>
}

// -----

// Multi-output fusion of an optimizer-style update: v' and m' are returned
// (state written in place) and read by the parameter update; one region
// reads g once and yields m', v' and p'.
// CHECK-LABEL: func.func @shared_stream
// CHECK:         %[[R:.*]]:3 = nn.fusion -> tensor<16x16xf32>, tensor<16x16xf32>, tensor<16x16xf32> {
// CHECK-NEXT:      nn.mul
// CHECK-NEXT:      %[[M:.*]] = nn.add %arg1
// CHECK-NEXT:      %[[V:.*]] = nn.add %arg2
// CHECK-NEXT:      nn.sqrt
// CHECK-NEXT:      nn.div
// CHECK-NEXT:      %[[P:.*]] = nn.sub
// CHECK-NEXT:      nn.yield %[[M]], %[[V]], %[[P]]
// CHECK:         return %[[R]]#0, %[[R]]#1, %[[R]]#2
// REPORT: nn-fuse: @shared_stream: nn.div#4 -> nn.sub#5: fused: saves 2048 bytes
// REPORT-NEXT: nn-fuse: @shared_stream: nn.add#1 -> nn.div#4: fused: saves 1024 bytes
// REPORT-NEXT: nn-fuse: @shared_stream: nn.sqrt#3 -> nn.div#4: fused: saves 2048 bytes
// REPORT-NEXT: nn-fuse: @shared_stream: nn.add#2 -> nn.sqrt#3: fused: saves 1024 bytes
// REPORT-NEXT: nn-fuse: @shared_stream: nn.mul#0 -> nn.add#2: fused: saves 2048 bytes
// REPORT-NEXT: nn-fuse: @shared_stream: merged the region of nn.add#2 with 1 region(s) reading it: saves 1024 bytes
// REPORT-NEXT: nn-fuse: @shared_stream: merged the region of nn.add#1 with 1 region(s) reading it: saves 1024 bytes
// REPORT-NEXT: nn-fuse: @shared_stream: 1 regions of 6 ops, 8192 bytes of traffic saved
func.func @shared_stream(%g: tensor<16x16xf32>, %m: tensor<16x16xf32>, %v: tensor<16x16xf32>, %p: tensor<16x16xf32>) -> (tensor<16x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>) {
  %0 = nn.mul %g, %g : tensor<16x16xf32>, tensor<16x16xf32>
  %1 = nn.add %m, %g : tensor<16x16xf32>, tensor<16x16xf32>
  %2 = nn.add %v, %0 : tensor<16x16xf32>, tensor<16x16xf32>
  %3 = nn.sqrt %2 : tensor<16x16xf32>
  %4 = nn.div %1, %3 : tensor<16x16xf32>, tensor<16x16xf32>
  %5 = nn.sub %p, %4 : tensor<16x16xf32>, tensor<16x16xf32>
  return %1, %2, %5 : tensor<16x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>
}

// -----

// Must not fuse: a scalar read by two regions over large tensors does not
// merge them (it is a broadcast operand, not a shared stream); it stays a
// region of its own.
// CHECK-LABEL: func.func @shared_scalar
// CHECK-COUNT-3: nn.fusion
// REPORT: nn-fuse: @shared_scalar: nn.exp#0 -> nn.mul#2: not fused: producer has users outside the region
// REPORT-NEXT: nn-fuse: @shared_scalar: nn.exp#0 -> nn.mul#1: not fused: producer has users outside the region
// REPORT-NEXT: nn-fuse: @shared_scalar: 3 regions of 3 ops, 0 bytes of traffic saved
func.func @shared_scalar(%s: tensor<f32>, %a: tensor<64xf32>, %b: tensor<64xf32>) -> (tensor<64xf32>, tensor<64xf32>) {
  %0 = nn.exp %s : tensor<f32>
  %1 = nn.mul %a, %0 : tensor<64xf32>, tensor<f32>
  %2 = nn.mul %b, %0 : tensor<64xf32>, tensor<f32>
  return %1, %2 : tensor<64xf32>, tensor<64xf32>
}

// -----

// Must not fuse: a producer that an op outside every region reads before
// the consumer's region stays where it is (merging would move it past that
// reader).
// CHECK-LABEL: func.func @escaping_producer
// CHECK:         %[[E:.*]] = nn.fusion -> tensor<4x4xf32> {
// CHECK-NEXT:      nn.exp
// CHECK-NEXT:      nn.yield
// CHECK:         %[[C:.*]] = tensor.cast %[[E]]
// CHECK:         nn.fusion -> tensor<4x4xf32> {
// CHECK-NEXT:      nn.add %[[E]], %[[C]]
// CHECK-NEXT:      nn.yield
// REPORT: nn-fuse: @escaping_producer: nn.exp#0 -> nn.add#2: not fused: producer has users outside the region
func.func @escaping_producer(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = nn.exp %x : tensor<4x4xf32>
  %1 = tensor.cast %0 : tensor<4x4xf32> to tensor<4x4xf32>
  %2 = nn.add %0, %1 : tensor<4x4xf32>, tensor<4x4xf32>
  return %2 : tensor<4x4xf32>
}

// -----

// Must not fuse: a reduction does not join a matmul's region (its epilogues
// are elementwise only).
// CHECK-LABEL: func.func @matmul_then_reduction
// CHECK-COUNT-2: nn.fusion
// REPORT: nn-fuse: @matmul_then_reduction: nn.matmul#0 -> nn.sum#1: not fused: a region with nn.matmul takes only elementwise ops
func.func @matmul_then_reduction(%x: tensor<8x8xf32>, %w: tensor<8x8xf32>) -> tensor<8xf32> {
  %0 = nn.matmul %x, %w : tensor<8x8xf32>, tensor<8x8xf32>
  %1 = nn.sum %0 dims = [1] : tensor<8x8xf32>
  return %1 : tensor<8xf32>
}

// -----

// Ops of other dialects are barriers; constants are captured, not fused;
// a region made only of views is not formed (reshape is free outside).
// CHECK-LABEL: func.func @barriers
// CHECK:         %[[C:.*]] = nn.constant
// CHECK:         %[[E:.*]] = nn.fusion -> tensor<4x4xf32> {
// CHECK-NEXT:      nn.exp
// CHECK-NEXT:      nn.yield
// CHECK:         %[[CAST:.*]] = tensor.cast %[[E]]
// CHECK:         nn.fusion -> tensor<4x4xf32> {
// CHECK-NEXT:      nn.mul %[[CAST]], %[[C]]
// CHECK-NEXT:      nn.yield
// CHECK:         nn.reshape
// CHECK-NOT:     nn.fusion
// REPORT-NOT: nn.constant
// REPORT: nn-fuse: @barriers: 2 regions of 2 ops, 0 bytes of traffic saved
func.func @barriers(%x: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<16xf32>) {
  %c = nn.constant dense<2.0> : tensor<4x4xf32>
  %0 = nn.exp %x : tensor<4x4xf32>
  %1 = tensor.cast %0 : tensor<4x4xf32> to tensor<4x4xf32>
  %2 = nn.mul %1, %c : tensor<4x4xf32>, tensor<4x4xf32>
  %3 = nn.reshape %x : tensor<4x4xf32> -> tensor<16xf32>
  return %2, %3 : tensor<4x4xf32>, tensor<16xf32>
}

// -----

// The traffic threshold: with min-saved-bytes=100, an 8-byte intermediate
// is not worth fusing, and the report says so.
// RUN: nnc-opt %s -split-input-file --nn-fuse="report=true min-saved-bytes=100" 2>&1 >/dev/null | FileCheck %s --check-prefix=THRESHOLD
// THRESHOLD: nn-fuse: @threshold: nn.exp#0 -> nn.neg#1: not fused: saves only 8 bytes (min-saved-bytes = 100)
// CHECK-LABEL: func.func @threshold
// CHECK:         nn.fusion
// CHECK-NEXT:      nn.exp
// CHECK-NEXT:      nn.neg
func.func @threshold(%x: tensor<f32>) -> tensor<f32> {
  %0 = nn.exp %x : tensor<f32>
  %1 = nn.neg %0 : tensor<f32>
  return %1 : tensor<f32>
}

// -----

// An elementwise chain hanging off a single-use matmul stays the matmul's
// epilogue; the softmax after it gets a region of its own rather than
// taking the epilogue and leaving the matmul alone.
// CHECK-LABEL: func.func @epilogue_before_softmax
// CHECK:         %[[H:.*]] = nn.fusion -> tensor<32x16xf32> {
// CHECK-NEXT:      nn.matmul
// CHECK-NEXT:      nn.add
// CHECK-NEXT:      nn.tanh
// CHECK-NEXT:      nn.yield
// CHECK:         nn.fusion -> tensor<32x16xf32> {
// CHECK-NEXT:      nn.softmax %[[H]]
// CHECK-NEXT:      nn.yield
// REPORT: nn-fuse: @epilogue_before_softmax: nn.tanh#2 -> nn.softmax#3: not fused: kept with its nn.matmul#0 as an epilogue
// REPORT-NEXT: nn-fuse: @epilogue_before_softmax: nn.add#1 -> nn.tanh#2: fused: saves 4096 bytes
// REPORT-NEXT: nn-fuse: @epilogue_before_softmax: nn.matmul#0 -> nn.add#1: fused: saves 4096 bytes
// REPORT-NEXT: nn-fuse: @epilogue_before_softmax: 2 regions of 4 ops, 8192 bytes of traffic saved
func.func @epilogue_before_softmax(%x: tensor<32x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<32x16xf32> {
  %0 = nn.matmul %x, %w : tensor<32x8xf32>, tensor<8x16xf32>
  %1 = nn.add %0, %b : tensor<32x16xf32>, tensor<16xf32>
  %2 = nn.tanh %1 : tensor<32x16xf32>
  %3 = nn.softmax %2 dim = 1 : tensor<32x16xf32>
  return %3 : tensor<32x16xf32>
}
