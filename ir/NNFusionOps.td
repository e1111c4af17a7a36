//===- ir/NNFusionOps.td - nn.fusion regions and nn.yield ---*- tablegen -*-===//
//
// The unit of code generation: nn-fuse groups the ops of one future kernel
// into an `nn.fusion` region, and everything after it works per region
// (DESIGN.md sections 4 and 6). Included at the end of ir/NNOps.td so the
// ops belong to the one generated op list of the dialect.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_IR_NNFUSIONOPS_TD
#define NNC_IR_NNFUSIONOPS_TD

include "ir/NNBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Fusion regions
//===----------------------------------------------------------------------===//

def NN_FusionOp : NN_Op<"fusion", [SingleBlock, RecursiveMemoryEffects]> {
  let summary = "the ops of one future kernel";
  let description = [{
    The body holds the ops that become one kernel; `nn.yield` ends it with
    the values the kernel produces, which are the results of the op. Like
    IREE's `flow.dispatch.region`, the region is not isolated from above: the
    body uses values defined outside directly, and they are the kernel's
    inputs. That keeps forming a region a matter of moving ops (no operand
    rewiring while nn-fuse grows a region), lets canonicalization see
    through region boundaries, and leaves the kernel signature to the one
    place that needs it: outlining (`nnc-outline-fusion-regions`) collects
    the captured values as the kernel's arguments.

    Regions do not nest. The body may hold any ops without side effects
    (nn ops before lowering, linalg/tensor/arith ops after), so the op is
    as pure as its body.

    Example:

    ```mlir
    %y = nn.fusion -> tensor<4x16xf32> {
      %0 = nn.matmul %x, %w : tensor<4x8xf32>, tensor<8x16xf32>
      %1 = nn.add %0, %b : tensor<4x16xf32>, tensor<16xf32>
      %2 = nn.tanh %1 : tensor<4x16xf32>
      nn.yield %2 : tensor<4x16xf32>
    }
    ```
  }];
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "(`->` type($results)^)? attr-dict-with-keyword $body";
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    /// The nn.yield that ends the body.
    YieldOp getYield();
  }];
}

def NN_YieldOp : NN_Op<"yield", [Pure, Terminator, HasParent<"FusionOp">]> {
  let summary = "the values an nn.fusion region produces";
  let description = [{
    Ends the body of an `nn.fusion`; its operands become the region's
    results, with the same types in the same order.

    Example:

    ```mlir
    nn.yield %2, %3 : tensor<4x16xf32>, tensor<4xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

#endif // NNC_IR_NNFUSIONOPS_TD
