// RUN: nnc-opt %s -split-input-file --nnc-plan-buffers | FileCheck %s

// Temporaries become views of one arena; buffers whose live ranges do not
// overlap share bytes.

// %a dies at the second call, before %c is allocated: %c reuses %a's bytes,
// and three 256-byte buffers fit in 512.
// CHECK-LABEL: func.func @chain
// CHECK-NEXT:    %[[ARENA:.*]] = memref.alloc() {{.*}}nnc.arena_buffers = 3 : i64, nnc.arena_size = 512 : i64{{.*}} : memref<512xi8>
// CHECK-NEXT:    %[[O0:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[A:.*]] = memref.view %[[ARENA]][%[[O0]]][] : memref<512xi8> to memref<64xf32>
// CHECK-NEXT:    call @kernel(%arg0, %[[A]])
// CHECK-NEXT:    %[[O1:.*]] = arith.constant 256 : index
// CHECK-NEXT:    %[[B:.*]] = memref.view %[[ARENA]][%[[O1]]][] : memref<512xi8> to memref<64xf32>
// CHECK-NEXT:    call @kernel(%[[A]], %[[B]])
// CHECK-NEXT:    %[[O2:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[C:.*]] = memref.view %[[ARENA]][%[[O2]]][] : memref<512xi8> to memref<64xf32>
// CHECK-NEXT:    call @kernel(%[[B]], %[[C]])
// CHECK-NEXT:    call @kernel(%[[C]], %arg1)
// CHECK-NOT:     memref.alloc
func.func private @kernel(memref<64xf32>, memref<64xf32>)
func.func @chain(%in: memref<64xf32>, %out: memref<64xf32>) {
  %a = memref.alloc() : memref<64xf32>
  call @kernel(%in, %a) : (memref<64xf32>, memref<64xf32>) -> ()
  %b = memref.alloc() : memref<64xf32>
  call @kernel(%a, %b) : (memref<64xf32>, memref<64xf32>) -> ()
  %c = memref.alloc() : memref<64xf32>
  call @kernel(%b, %c) : (memref<64xf32>, memref<64xf32>) -> ()
  call @kernel(%c, %out) : (memref<64xf32>, memref<64xf32>) -> ()
  return
}

// -----

// A view keeps its buffer alive: %a is read through %v after %b is
// allocated, so they do not share. Offsets are 64-byte aligned (the 36-byte
// buffer takes 64) and the largest buffer is placed first.
// CHECK-LABEL: func.func @view_extends_life
// CHECK:         memref.alloc() {{.*}}nnc.arena_size = 320 : i64{{.*}} : memref<320xi8>
// CHECK:         %[[OA:.*]] = arith.constant 0 : index
// CHECK-NEXT:    memref.view %{{.*}}[%[[OA]]][] : memref<320xi8> to memref<64xf32>
// CHECK:         %[[OB:.*]] = arith.constant 256 : index
// CHECK-NEXT:    memref.view %{{.*}}[%[[OB]]][] : memref<320xi8> to memref<9xf32>
func.func private @fill(memref<64xf32>)
func.func private @use(memref<8x8xf32>, memref<9xf32>)
func.func @view_extends_life() {
  %a = memref.alloc() : memref<64xf32>
  call @fill(%a) : (memref<64xf32>) -> ()
  %v = memref.expand_shape %a [[0, 1]] output_shape [8, 8] : memref<64xf32> into memref<8x8xf32>
  %b = memref.alloc() : memref<9xf32>
  call @use(%v, %b) : (memref<8x8xf32>, memref<9xf32>) -> ()
  return
}

// -----

// Buffers that escape (returned) or have dynamic shapes are left alone.
// CHECK-LABEL: func.func @not_planned
// CHECK-NOT:     memref.view
// CHECK:         memref.alloc() : memref<16xf32>
// CHECK:         memref.alloc(%arg0) : memref<?xf32>
// CHECK-NOT:     memref.view
func.func @not_planned(%n: index) -> memref<16xf32> {
  %a = memref.alloc() : memref<16xf32>
  %d = memref.alloc(%n) : memref<?xf32>
  memref.dealloc %d : memref<?xf32>
  return %a : memref<16xf32>
}
