//===- passes/Passes.td - graph-level passes on nn ops ------*- tablegen -*-===//
//
// Every graph-level pass, grouped under banners, alphabetical within a group.
// Flags are nn-<verb>[-<noun>]; each pass lives in its own file named after
// it without the `Pass` suffix.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_PASSES_PASSES_TD
#define NNC_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def NNFuse : Pass<"nn-fuse"> {
  let summary = "Group nn ops into nn.fusion regions, one per future kernel";
  let description = [{
    Forms `nn.fusion` regions in every `func.func` under the anchor op:
    elementwise/broadcast chains; reductions (sum, mean, max, softmax,
    log_softmax, cross_entropy, mse_loss) with their elementwise prologues
    and epilogues; and `nn.matmul` with elementwise epilogues (bias add,
    activation). Each region becomes one kernel, so every fused edge is an
    intermediate tensor that never goes to memory.

    Regions grow from the last op of a function backwards (consumers
    first, like IREE's dispatch region formation): a producer joins its
    consumer's region when every user of the producer is already inside,
    so nothing is recomputed and a matmul is never duplicated; a region
    holds at most one `nn.matmul`, which takes only elementwise epilogues
    (an elementwise chain hanging off a single-use matmul stays with it
    rather than joining a later reduction). Then regions merge into
    multi-output regions: a region joins the regions that read its results
    when they stream tensors as large as the shared one (an optimizer
    update reading a gradient for m, v and the parameter), provided the
    merged region can stand at its last op without moving a use before
    its definition. Shared small operands (a scalar bias correction) do
    not merge regions.
    An edge is fused when it saves at least `min-saved-bytes` of memory
    traffic, estimated as one write and one read of the intermediate
    (dynamic dims count as 1). Ops are classified by a table in
    passes/Fuse.cpp; ops not in it are barriers. Constants stay outside,
    captured by the regions that use them.

    With `report=true` (`nn-fuse{report=true}`), every candidate edge
    between two nn ops is printed to stderr with its decision, e.g.
    `nn-fuse: @f: nn.exp#1 -> nn.sum#2: fused: saves 131072 bytes`, where
    `#k` is the op's position in the function body.
  }];
  let options = [
    Option<"report", "report", "bool", /*default=*/"false",
           "Print every candidate producer->consumer edge and the decision "
           "to stderr">,
    Option<"minSavedBytes", "min-saved-bytes", "int64_t", /*default=*/"1",
           "Fuse an edge only when it saves at least this many bytes of "
           "memory traffic">,
  ];
}

//===----------------------------------------------------------------------===//
// Training
//===----------------------------------------------------------------------===//

def NNAutodiff : Pass<"nn-autodiff", "::mlir::ModuleOp"> {
  let summary = "Add the gradient function of each function with marked "
                "arguments (reverse mode)";
  let description = [{
    For every `func.func` with arguments marked by the unit attribute
    `nn.requires_grad`, whose first result is the loss (a rank-0 float
    tensor), adds `@<name>_grad` right after it: same arguments (unmarked),
    returning the original results followed by the gradient of the loss
    with respect to each marked argument, in argument order.

    The backward graph is built by a generic reverse sweep over
    `nn::DifferentiableOpInterface::buildVJP`, seeded with 1 for the loss;
    a value with several uses gets the sum (`nn.add`) of its gradients; an
    argument the loss does not depend on gets zeros. Forward values are
    reused by the backward ops, and dead ops are removed.

    An op between a marked argument and the loss that does not implement
    the interface is an error naming the op. With `in-place`, the gradient
    function replaces the original under its name (callers of it, if any,
    must then expect the extra results). The C++ entry point is
    `nnc::buildGradientFunction` (passes/Autodiff.h).

    Example:

    ```mlir
    func.func @loss(%w: tensor<3xf32> {nn.requires_grad}, %x: tensor<3xf32>)
        -> tensor<f32> { ... }
    // becomes @loss plus
    func.func @loss_grad(%w: tensor<3xf32>, %x: tensor<3xf32>)
        -> (tensor<f32>, tensor<3xf32>) { ... }
    ```
  }];
  let options = [
    Option<"inPlace", "in-place", "bool", /*default=*/"false",
           "Replace each marked function by its gradient function (same "
           "name) instead of adding @<name>_grad">,
  ];
  let dependentDialects = ["::mlir::nn::NNDialect"];
}

//===----------------------------------------------------------------------===//
// Layout
//===----------------------------------------------------------------------===//

def NNLayout : Pass<"nn-layout"> {
  let summary = "Choose channels-last convolutions; sink and cancel the "
                "permutes around them";
  let description = [{
    Rewrites each `nn.conv2d` whose channels-last kernel is the faster one
    (groups 1, f32, stride and dilation 1, a static batch, at least
    `min-channels` input and output channels, not read by a backward op)
    into
    `permute(conv2d channels_last(permute(x), permute(w), b))`: input
    NCHW -> NHWC, weight OIHW -> [kH, kW, C, O], result back to NCHW.
    Then permutes compose (`permute(permute(x, p), q)` is one permute, the
    identity none) and sink through elementwise unary and binary ops when
    the permuted value has no other use, the other operand being permuted
    the same way, a scalar, or a small static tensor (a bias) that is
    permuted itself. Between channels-last convolutions joined by
    elementwise ops no permute is left, and a permuted constant (a frozen
    weight) folds into a constant: weights are packed at compile time.

    Example:

    ```mlir
    %c = nn.conv2d %x, %w, %b stride = [1, 1] padding = [1, 1]
        dilation = [1, 1] groups = 1
        : tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>, tensor<64xf32>
    %r = nn.relu %c : tensor<1x64x56x56xf32>
    // becomes
    %xt = nn.permute %x dims = [0, 2, 3, 1] : ...
    %wt = nn.permute %w dims = [2, 3, 1, 0] : ...
    %c = nn.conv2d %xt, %wt, %b stride = [1, 1] padding = [1, 1]
        dilation = [1, 1] groups = 1 channels_last : ...
    %r = nn.relu %c : tensor<1x56x56x64xf32>
    %rt = nn.permute %r dims = [0, 3, 1, 2] : ...
    ```
  }];
  let options = [
    Option<"minChannels", "min-channels", "int64_t", /*default=*/"16",
           "Convert a convolution only when its input and output channels "
           "are both at least this many">,
  ];
  let dependentDialects = ["::mlir::nn::NNDialect"];
}

//===----------------------------------------------------------------------===//
// Lowering
//===----------------------------------------------------------------------===//

def NNLowerToLinalg : Pass<"nn-lower-to-linalg"> {
  let summary = "Lower nn ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Rewrites every `nn` op under the anchor op (any op: a module, a
    `func.func`, later an `nn.fusion` region) into ops on tensors:

    - elementwise ops become `linalg.generic` with explicit broadcasting
      indexing maps (a size-1 dim reads index 0; a missing leading dim is
      dropped from the map), bodies in `arith`/`math`; sigmoid is
      `1 / (1 + exp(-x))`, relu is `arith.maximumf(x, 0)`;
    - `nn.matmul` with a matrix rhs becomes one `linalg.matmul` (lhs batch
      dims collapsed into its rows); with a batched rhs it becomes
      `linalg.batch_matmul` after broadcast batch dims are materialized and
      several batch dims are collapsed into one;
    - `nn.transpose` becomes `linalg.transpose`; `nn.reshape` becomes
      `tensor.collapse_shape`/`tensor.expand_shape` (through a 1-D tensor
      when no single reassociation exists);
    - reductions become `linalg.reduce` into a `linalg.fill`ed init (0 for
      sum and mean, -inf for max); mean divides by the element count;
      `keepdim` is a `tensor.expand_shape`;
    - `nn.softmax`/`nn.log_softmax` are numerically stable: a max
      reduction, a `linalg.generic` reduction of `exp(x - max)`, then one
      elementwise `linalg.generic` (`exp(x - max) / sum`, or
      `x - (max + log(sum))`);
    - `nn.cross_entropy` computes log-sum-exp per row the same way and
      gathers the target class with `tensor.extract` inside a
      `linalg.generic` over the rows (an index outside `[0, C)` gives NaN
      and a clamped, in-bounds read), then sums or averages;
      `nn.cross_entropy_grad` is one `linalg.generic` over `[N, C]` computing
      `(softmax - onehot) * g` from the row statistics;
    - `nn.mse_loss` with a reduction is one `linalg.generic` reduction of
      `(a - b)^2` (no intermediate tensor);
    - `nn.pow` is `x * x` for exponent 2, `math.sqrt` for 0.5, else
      `math.powf`; `nn.broadcast_to` is a broadcasting copy sized by its
      `like` operand; `nn.relu_grad` and `nn.equal_mask` are `arith.select`
      bodies;
    - `nn.constant` becomes `arith.constant`;
    - dtypes: scalar bodies use arith's float or integer ops by element
      type; f16/bf16 compute in f32 and round once (reductions accumulate
      in f32); u8 arithmetic is rebuilt in i32 and truncated back;
      `nn.convert` is one elementwise `linalg.generic` of `arith` casts;
    - comparisons, `nn.where`, `nn.clamp`, `nn.abs`, `nn.sign` and
      `nn.pow_tensor` are elementwise `linalg.generic`s; `nn.slice` is a
      strided `tensor.extract_slice` (`nn.slice_grad` inserts into zeros);
      `nn.concat` is a chain of `tensor.insert_slice`; `nn.permute` is
      `linalg.transpose`; `nn.index_select` and `nn.gather` read with
      `tensor.extract` inside a `linalg.generic` (clamped in bounds);
      `nn.scatter_add` is an `scf.for` nest over `src` updating the result
      with `tensor.insert`; `nn.argmax`/`nn.argmin` are one
      `linalg.generic` reduction carrying value and index; `nn.var`,
      `nn.std`, `nn.logsumexp` and matmuls of vectors are rewritten into
      simpler nn ops, lowered in turn.

    Dynamic dims are read with `tensor.dim`. A dynamic dim is assumed to
    equal the size it broadcasts against (it is never a stretching 1).
    An op that cannot be lowered is reported and fails the pass.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // NNC_PASSES_PASSES_TD
