// RUN: nnc-opt %s --nnc-lower-parallel-launches | FileCheck %s

// A launch (in the LLVM dialect, so captures are scalars and pointers)
// becomes a context struct on the stack and a call of the runtime's pool,
// whose body is an entry function that unpacks the context.

// CHECK-LABEL: llvm.func @t_task0(
// CHECK:       llvm.func internal @t_task0_entry(%[[CTX:.*]]: !llvm.ptr, %[[I:.*]]: i64) {
// CHECK-NEXT:    %[[F0:.*]] = llvm.getelementptr %[[CTX]][0, 0] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(ptr, i64)>
// CHECK-NEXT:    %[[P:.*]] = llvm.load %[[F0]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    %[[F1:.*]] = llvm.getelementptr %[[CTX]][0, 1] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(ptr, i64)>
// CHECK-NEXT:    %[[N:.*]] = llvm.load %[[F1]] : !llvm.ptr -> i64
// CHECK-NEXT:    llvm.call @t_task0(%[[I]], %[[P]], %[[N]])
// CHECK-NEXT:    llvm.return
// CHECK-NOT:   __nnc_launch
// CHECK-LABEL: llvm.func @t(
// CHECK-SAME:      %[[PTR:.*]]: !llvm.ptr)
// CHECK:         %[[SLOT:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(ptr, i64)>
// CHECK:         %[[G0:.*]] = llvm.getelementptr %[[SLOT]][0, 0]
// CHECK-NEXT:    llvm.store %[[PTR]], %[[G0]]
// CHECK-NEXT:    %[[G1:.*]] = llvm.getelementptr %[[SLOT]][0, 1]
// CHECK-NEXT:    llvm.store %{{.*}}, %[[G1]]
// CHECK:         %[[BODY:.*]] = llvm.mlir.addressof @t_task0_entry
// CHECK-NEXT:    llvm.call @nnc_runtime_parallel_for(%{{.*}}, %{{.*}}, %[[BODY]], %[[SLOT]]) : (i64, i64, !llvm.ptr, !llvm.ptr) -> ()
// CHECK:       llvm.func @nnc_runtime_parallel_for(i64, i64, !llvm.ptr, !llvm.ptr)
llvm.func @t_task0(%i: i64, %p: !llvm.ptr, %n: i64) {
  llvm.return
}
llvm.func @__nnc_launch_t_task0(i64, !llvm.ptr, i64)
llvm.func @t(%p: !llvm.ptr) {
  %c = llvm.mlir.constant(64 : i64) : i64
  llvm.call @__nnc_launch_t_task0(%c, %p, %c) : (i64, !llvm.ptr, i64) -> ()
  llvm.return
}
