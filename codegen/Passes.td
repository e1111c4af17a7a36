//===- codegen/Passes.td - CPU codegen passes --------------*- tablegen -*-===//
//
// The few steps of nnc's CPU pipeline that upstream MLIR does not offer as a
// pass. The pipeline itself (upstream passes included) is built in
// codegen/Pipelines.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_CODEGEN_PASSES_TD
#define NNC_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Calling convention
//===----------------------------------------------------------------------===//

def ExposeCInterface : Pass<"nnc-expose-c-interface", "mlir::ModuleOp"> {
  let summary = "Mark public functions for a C-interface wrapper";
  let description = [{
    Sets `llvm.emit_c_interface` on every public `func.func` definition, so
    that `convert-func-to-llvm` emits `_mlir_ciface_<name>`, which takes each
    memref as a pointer to its descriptor. That wrapper is the entry point the
    runtime's `Executable` calls (through the JIT's packed wrapper) and the
    symbol an AOT object exports. Private functions are internal helpers:
    they keep the plain expanded-descriptor convention and get internal
    linkage (`llvm.linkage`), so LLVM drops a kernel or task it has inlined
    into its only caller instead of compiling its body twice.

    Example:

    ```mlir
    func.func @f(%a: memref<4xf32>, %out: memref<4xf32>)
    // becomes
    func.func @f(%a: memref<4xf32>, %out: memref<4xf32>)
        attributes {llvm.emit_c_interface}
    ```
  }];
  // The attribute belongs to the LLVM dialect.
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def DistinctResults : Pass<"nnc-distinct-results", "mlir::func::FuncOp"> {
  let summary = "Give every result of a function its own tensor";
  let description = [{
    A function may return one value in several result positions (a traced
    `x * 1` folds to `x`). Each result becomes its own caller-provided output
    buffer (`buffer-results-to-out-params`), and that pass cannot place one
    allocation in two outputs. This pass, on tensors before bufferization,
    replaces every repeated return operand after its first position with a
    copy in a new allocation (`bufferization.alloc_tensor copy(...)`, which
    empty-tensor elimination cannot fold back onto the original).

    Example:

    ```mlir
    return %v, %v : tensor<3xf32>, tensor<3xf32>
    // becomes
    %c = bufferization.alloc_tensor() copy(%v) : tensor<3xf32>
    return %v, %c : tensor<3xf32>, tensor<3xf32>
    ```
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect"];
}

def AllocateReshapedResults : Pass<"nnc-allocate-reshaped-results",
                                   "mlir::func::FuncOp"> {
  let summary = "Allocate a result that is returned reshaped in its own shape";
  let description = [{
    After bufferization, a function that computes a result in one shape and
    returns it reshaped (a convolution over wide rows, [N, G, F, OH OW],
    returned as [N, O, OH, OW]) returns a view of an allocation, which
    `buffer-results-to-out-params` copies into the caller's buffer. This
    pass allocates the returned shape instead and gives the computation a
    view of it (the reshapes undone), so the result is the allocation and
    is computed straight into the caller's buffer.

    Example:

    ```mlir
    %a = memref.alloc() : memref<2x6xf32>
    ... writes %a ...
    %r = memref.expand_shape %a [[0], [1, 2]] output_shape [2, 2, 3]
      : memref<2x6xf32> into memref<2x2x3xf32>
    return %r : memref<2x2x3xf32>
    // becomes
    %r = memref.alloc() : memref<2x2x3xf32>
    %a = memref.collapse_shape %r [[0], [1, 2]]
      : memref<2x2x3xf32> into memref<2x6xf32>
    ... writes %a ...
    return %r : memref<2x2x3xf32>
    ```
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

//===----------------------------------------------------------------------===//
// Donated arguments
//===----------------------------------------------------------------------===//

def MaterializeDonatedResults : Pass<"nnc-materialize-donated-results",
                                      "mlir::ModuleOp"> {
  let summary = "Write each donated result into its argument's buffer";
  let description = [{
    A result marked `{nn.donated_argument = i}` is the new value of argument
    `i`: the caller gives up the argument's buffer (a parameter or optimizer
    state a training step updates) and expects the result there, not in an
    output buffer of its own. This pass states that on tensors: the returned
    value becomes `bufferization.materialize_in_destination %new in %arg_i`.
    When `%new` is computed by an `nn.fusion` region, the same write is also
    placed inside the region, so that its kernel computes straight into the
    argument.

    One-shot bufferization then decides where the write can happen in place.
    It knows program order: where a later kernel still reads the old value,
    the kernel writes into a copy and the copy is written back at the end;
    otherwise the update runs in the argument's own memory and no copy is
    made. `nnc-drop-donated-results` removes the results afterwards.

    Uses of a written value that come after the write (in its block) are
    made to use the write's result: the same value, but bufferization then
    knows they read the destination after the write.

    Example:

    ```mlir
    func.func @step(%w: tensor<4xf32>, %g: tensor<4xf32>)
        -> (tensor<4xf32> {nn.donated_argument = 0 : i64}) {
      %new = nn.sub %w, %g : ...
      return %new : tensor<4xf32>
    }
    // becomes
      %new = nn.sub %w, %g : ...
      %0 = bufferization.materialize_in_destination %new in %w
          : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      return %0 : tensor<4xf32>
    ```
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect"];
}

def DropDonatedResults : Pass<"nnc-drop-donated-results", "mlir::ModuleOp"> {
  let summary = "Remove donated results once they live in their arguments";
  let description = [{
    After bufferization, a result marked `{nn.donated_argument = i}` is
    argument `i`'s own buffer (`nnc-materialize-donated-results` put it
    there). Returning it would make `buffer-results-to-out-params` copy it
    into an output buffer, so the result is removed from the function: the
    caller reads the new value from the buffer it passed. The argument keeps
    the unit attribute `nn.donated`, which the runtime's signature reports.
    Private functions are handled by upstream
    `drop-equivalent-buffer-results`; this is for entry points.
  }];
}

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

def OutlineFusionRegions : Pass<"nnc-outline-fusion-regions",
                                 "mlir::ModuleOp"> {
  let summary = "Turn every nn.fusion region into a kernel function";
  let description = [{
    One region, one kernel: the body of each `nn.fusion` becomes a
    `func.func private @<function>_fusion<k>` whose arguments are the values
    the region captured (constants are cloned in instead, so the kernel can
    fold them) and whose results are the yielded values; the region is
    replaced by a `func.call`. The kernels are lowered, fused into loop nests
    and bufferized on their own, and every intermediate between kernels
    becomes a buffer of the caller, which `nnc-plan-buffers` places.

    A region with a dynamically shaped result stays in its function (its
    body is inlined in place): its result buffer must be sized by the code
    that computes it, which a caller-allocated output cannot be.

    Example:

    ```mlir
    func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
      %y = nn.fusion -> tensor<4xf32> {
        %0 = nn.exp %x : tensor<4xf32>
        nn.yield %0 : tensor<4xf32>
      }
      return %y : tensor<4xf32>
    }
    // becomes
    func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
      %y = call @f_fusion0(%x) : (tensor<4xf32>) -> tensor<4xf32>
      return %y : tensor<4xf32>
    }
    func.func private @f_fusion0(%x: tensor<4xf32>) -> tensor<4xf32>
        attributes {nnc.kernel} {
      %0 = nn.exp %x : tensor<4xf32>
      return %0 : tensor<4xf32>
    }
    ```
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

//===----------------------------------------------------------------------===//
// Loops
//===----------------------------------------------------------------------===//

def TileContractions : Pass<"nnc-tile-contractions"> {
  let summary = "Tile matrix products into register tiles and vectorize them";
  let description = [{
    Cuts every matrix product on tensors (a `linalg.generic` contraction
    C[m, n] += A[m, k] * B[k, n] or with A as [k, m], static sizes, an f32
    result, and B and C contiguous along n) the way fast BLAS kernels are
    built:

    1. an `scf.forall` over output tiles of `parallel-tile-rows` x
       `parallel-tile-cols` (the thread pool's tasks, after
       `scf-forall-to-parallel` and parallel-loop outlining);
    2. an `scf.for` over blocks of at most `reduction-tile` along k, so a
       block of B stays in cache while a task walks its rows;
    3. `scf.for`s over register tiles of mr x nr (mr = `register-rows`,
       nr = two vectors, one or half a vector dividing n, or n itself when
       at most two vectors wide) and over k in steps of 1,
       whose body becomes a `vector.contract` of an mr x 1 column of A and a
       1 x nr row of B into the mr x nr accumulator.

    Hoisting the accumulator's read and write out of the k loop
    (`loop-invariant-subset-hoisting`) then keeps it in registers, and the
    contraction lowers to mr broadcast-times-row FMAs per k. Every tile size
    divides its dim exactly, so no tile is partial; a product whose sizes do
    not fit (or that is smaller than one register tile) is left to the
    plain loops of `nnc-interchange-contraction-loops`.

    With `bf16-dot` (set where the target has AVX512-BF16), a product of
    bf16 operands summed in f32 with A stored [m, k] (m may be dynamic)
    steps k by pairs with vdpbf16ps (`x86vector.avx512.dot`) instead: B is
    packed into panels of nr columns of k pairs ([n / nr][k / 2][nr][2], an
    odd k padded with a zero row), and per k pair each row's pair of A is
    broadcast to every 32-bit lane and dotted with the panel's pairs, the
    accumulators carried in registers through the k loop. A zero-filled
    init is never read, and a rounding of the result to bf16 (nn.matmul of
    bf16 tensors) is written by the last pass over k directly. f32 products
    with k and n of at least `pack-f32-min-size` and static rows, at least
    half of it, take the same kernel with B packed into panels of nr
    columns ([n / nr][k][nr]), one FMA per k. A constant B (a frozen weight)
    is packed at compile time.

    Example:

    ```mlir
    %c = linalg.generic {...matmul maps...} ins(%a, %b : tensor<64x784xf32>,
        tensor<784x128xf32>) outs(%init : tensor<64x128xf32>) {...}
    // becomes scf.forall (16 x 128 tiles) { scf.for (k blocks of 196) {
    //   scf.for (m by 8) { scf.for (n by 32) { scf.for (k by 1) {
    //     vector.contract ... vector<8x1xf32>, vector<1x32xf32>
    //       into vector<8x32xf32> }}}}}
    ```
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "f32 lanes of the target's vector registers (16 for AVX-512)">,
    Option<"registerRows", "register-rows", "int64_t", /*default=*/"8",
           "Rows of the register tile (mr)">,
    Option<"parallelTileRows", "parallel-tile-rows", "int64_t",
           /*default=*/"64", "Most rows of one parallel task's tile">,
    Option<"parallelTileCols", "parallel-tile-cols", "int64_t",
           /*default=*/"256", "Most columns of one parallel task's tile">,
    Option<"reductionTile", "reduction-tile", "int64_t", /*default=*/"256",
           "Most of k one cache block covers">,
    Option<"bf16Dot", "bf16-dot", "bool", /*default=*/"false",
           "Products of bf16 operands summed in f32 step k by pairs with "
           "x86vector.avx512.dot (vdpbf16ps; the target needs AVX512-BF16)">,
    Option<"packF32MinSize", "pack-f32-min-size", "int64_t",
           /*default=*/"1024",
           "f32 products whose k and n are both at least this take B packed "
           "into contiguous panels, as bf16 products do (0: never)">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::x86vector::X86VectorDialect"];
}

def TileConvolutions : Pass<"nnc-tile-convolutions"> {
  let summary = "Register-tile stride-1 convolutions over wide rows";
  let description = [{
    nn-lower-to-linalg lowers a stride-1 convolution (and the input
    gradient, itself one) to a `linalg.generic` over "wide rows": loops
    (n, g, f, c, kh, kw, p) with out[n, g, f, p] += in[n, g, c, p + kh W' +
    kw] * w[g, f, c, kh, kw], where p runs over the output rows joined at the
    padded input width W'. For each tap (c, kh, kw) that is a matrix product
    of weights [f, c] and a shifted row of the input, and this pass gives it
    the matrix product's kernel:

    1. an `scf.forall` with one task per image and group (rows of p split
       among tasks when there are fewer than four images);
    2. an `scf.for` over blocks of p whose input rows (all channels) fit in
       128 KB, when a task's p is longer: each block of inputs stays in L2
       while every output channel goes by;
    3. `scf.for`s over register tiles of mr output channels (=
       `register-rows`, or the largest of 4, 2, 1 dividing f) by nr outputs
       (two vectors, one or half a vector dividing p, or all of p when it
       is at most two vectors wide);
    4. `scf.for`s over c, kh, kw carrying the mr accumulator rows in vector
       registers: per tap, nr inputs read as one vector, mr weights
       broadcast, and mr `vector.fma`; the rows are written once after the
       last tap.

    The channels-last form (loops (n, p, f, kh, kw, c), out[n, p, f] +=
    in[n, p + kh W' + kw, c] * w[kh, kw, c, f]) gets the same kernel with
    the operands' roles exchanged: register tiles of mr consecutive outputs
    by nr output channels (f along the vector lanes; 6 by four vectors where
    four vectors divide f, else `register-rows` by nr as above), p tiles
    outside f tiles, a row of nr weights and mr broadcast inputs per tap,
    and a peeled tile when mr does not divide p. In both forms, initial
    values from a fill or a bias broadcast start the accumulator rows in
    registers (a constant, a broadcast bias, or a row of biases) rather than
    being written to the output and read back; other initial values are
    read per register tile.

    Convolutions of other shapes are left to the plain loops.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "f32 lanes of the target's vector registers (16 for AVX-512)">,
    Option<"registerRows", "register-rows", "int64_t", /*default=*/"8",
           "Output channels of the register tile (mr)">,
  ];
  let dependentDialects = ["mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::vector::VectorDialect"];
}

def TileConvolutionWeightGrads : Pass<"nnc-tile-convolution-weight-grads"> {
  let summary = "Vectorize the weight gradients of stride-1 convolutions";
  let description = [{
    The weight gradient of a stride-1 convolution, as nn-lower-to-linalg
    emits it over wide rows (loops g, f, n, c, kh, kw, p with
    dw[g, f, c, kh, kw] += in[n, g, c, p + kh W' + kw] * dy[n, g, f, p],
    n and p reduced), becomes an `scf.forall` with one task per (group,
    block of mr output channels, input channel, kernel row). A task keeps
    mr x kW vectors of partial sums (one lane per output position) in
    registers while `scf.for`s walk the images and the outputs a vector at
    a time: per step it reads mr rows of dy and kW shifted rows of the
    input and does mr kW `vector.fma`; at the end each vector is summed
    across its lanes into its weight. mr is the largest of 8, 4, 2, 1 that
    divides f with mr x kW at most `accumulators`.

    Other weight gradients are left to the plain loops.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "f32 lanes of the target's vector registers (16 for AVX-512)">,
    Option<"accumulators", "accumulators", "int64_t", /*default=*/"24",
           "Most vectors of partial sums a task keeps in registers">,
  ];
  let dependentDialects = ["mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::vector::VectorDialect"];
}

def TileMemoryBoundKernels : Pass<"nnc-tile-memory-bound-kernels",
                                  "mlir::ModuleOp"> {
  let summary = "Run fused memory-bound kernels in blocks of rows";
  let description = [{
    In every function without contractions or convolutions (those are the
    tilers' above) whose generics index their operands by plain dims, each
    `linalg.generic` whose result no other linalg op reads (a root) is
    tiled along its outermost dim, when that dim is parallel, into an
    `scf.forall` over blocks of rows covering at least `min-tile-elements`
    iterations each, and the generics it reads are fused into the tile
    (`tileConsumerAndFuseProducersUsingSCF`). A producer whose slice is its
    whole result (a reduction over the rows, a value broadcast along them)
    is not fused, so no tile recomputes it; a fused producer also read
    outside the chain (returned, donated) yields its tiles from the loop,
    written in place into the argument it is materialized in. Unit dims
    (a keepdim reduction's) are dropped first, so reshapes do not cut a
    chain; and a division by a value that is the same along the innermost
    loop gets `arcp`, so LLVM multiplies by a reciprocal computed once.
    Last, elementwise generics whose results have several uses are fused
    into their readers: recomputed in each when a few arith ops (layer
    norm's x - mean), else into their one generic reader, which then
    yields their result too (an optimizer's moments and parameter in one
    loop).

    So softmax's and layer norm's row reductions and their normalization
    read a block of rows from memory once and then from cache, an
    optimizer update's several results come from one pass, and each thread
    pool task (after `scf-forall-to-parallel` and parallel-loop outlining)
    walks a contiguous block rather than one row.

    Example:

    ```mlir
    %max = linalg.generic {... ["parallel", "reduction"]} ins(%x) ...
    %y = linalg.generic {... ["parallel", "parallel"]} ins(%x, %max) ...
    // becomes
    %y = scf.forall (%i) = (0) to (4096) step (16) shared_outs(%out = ...) {
      %max_tile = linalg.generic ... ins(%x[%i:16, 0:1024]) ...
      %y_tile = linalg.generic ... ins(%x[%i:16, 0:1024], %max_tile) ...
    }
    ```
  }];
  let options = [
    Option<"minTileElements", "min-tile-elements", "int64_t",
           /*default=*/"16384",
           "Fewest iterations of the root per tile (16384: 64 KiB of each "
           "f32 tensor)">,
  ];
  let dependentDialects = ["mlir::affine::AffineDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect"];
}

def TileTransposes : Pass<"nnc-tile-transposes"> {
  let summary = "Move transposes in 16x16 register blocks";
  let description = [{
    A `linalg.generic` that copies its f32 input through a permutation
    moving the innermost dim (what `nn.permute` lowers to, e.g. NCHW <->
    NHWC around channels-last convolutions) first has the loop dims that
    stay adjacent in both layouts merged (h and w), then, when both swapped
    dims are multiples of 16, is tiled into an `scf.forall` over strips of
    16 along the input's innermost dim and an `scf.for` over 16 x 16
    blocks, each vectorized: 16 row reads, one `vector.transpose` (lowered
    to shuffles), 16 row writes. Left to LLVM, such a copy touches one
    element per cache line on one side and ran at 2-6 GB/s.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def TilePoolingWindows : Pass<"nnc-tile-pooling-windows"> {
  let summary = "Reduce pooling windows that tile the input in vector rows";
  let description = [{
    A `linalg.generic` reducing a windows view of its input (loops `(n, c,
    oh, kh, ow, kw)`, `kh` and `kw` reduced, inputs read through the
    identity, the result through `(n, c, oh, ow)`: what pooling with stride
    = kernel and no padding lowers to) is tiled into an `scf.forall` over
    images and an `scf.for` over output rows (up to 32 outputs each), and
    each row is vectorized: `kH` contiguous input rows read whole, a
    `vector.multi_reduction` over the window (its `kW` taps separated by
    shuffles once lowered), one row write. Left to LLVM, the stride-`kW`
    reads became gathers or scalar code.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def LowerVectorOps : Pass<"nnc-lower-vector-ops"> {
  let summary = "Lower tiled contractions' vector ops to 1-D FMAs, loads "
                "and stores";
  let description = [{
    On buffers, after `nnc-tile-contractions` and bufferization: each
    `vector.contract` (mr x 1 times 1 x nr) becomes mr `vector.fma` of a
    broadcast element of A and a row of B (the outer-product form), and
    transfers with permutation maps become broadcasts and minor-identity
    transfers, then `vector.load`/`vector.store` where they are 1-D.
    `convert-vector-to-scf` unrolls what is still n-D, and
    `convert-vector-to-llvm` maps the result to LLVM vectors.

    Example:

    ```mlir
    %r = vector.contract {...} %a, %b, %acc
        : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
    // becomes, per row i of the tile:
    %ai = vector.extract %a[i, 0] ...; %bi = vector.broadcast %ai
    %ri = vector.fma %bi, %b0, %acci : vector<32xf32>
    ```
  }];
  let dependentDialects = ["mlir::vector::VectorDialect"];
}

def InterchangeContractionLoops : Pass<"nnc-interchange-contraction-loops"> {
  let summary = "Order matmul-like loops so the innermost one is contiguous";
  let description = [{
    `convert-linalg-to-loops` emits loops in the order of a linalg op's
    iteration dims. For `linalg.matmul` that is (m, n, k): the innermost loop
    is the reduction, walking a column of B, and LLVM cannot vectorize it
    without reassociating the sum. This pass generalizes every contraction
    (matmul, batch_matmul, or a generic of that shape) whose innermost loop
    is a reduction and reorders its loops to (batch, m, k, n): the innermost
    loop then runs along rows of B and of the result, which LLVM vectorizes
    to the target's vector width. The accumulation order over k is
    unchanged, so results are bit-identical. Contractions with no n dim
    (matrix-vector products) are left alone.

    Convolutions and pooling (linalg.conv_*, linalg.pooling_* or generics of
    that shape) are reordered the same way to (batch, output channels,
    output rows, input channels, window, output width): each innermost
    iteration adds a weight times a contiguous input row into a contiguous
    output row, and the sums keep their order over channels and window.

    Example:

    ```mlir
    linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>)
                  outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
    // becomes a linalg.generic with
    //   indexing_maps = [(d0, d1, d2) -> (d0, d1),   // A[m, k]
    //                    (d0, d1, d2) -> (d1, d2),   // B[k, n]
    //                    (d0, d1, d2) -> (d0, d2)]   // C[m, n]
    //   iterator_types = ["parallel", "reduction", "parallel"]
    ```

    A first step only: tiling, packing and explicit vectorization come later.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def LowerParallelLaunches : Pass<"nnc-lower-parallel-launches",
                                 "mlir::ModuleOp"> {
  let summary = "Call nnc_runtime_parallel_for for each parallel launch";
  let description = [{
    In the LLVM dialect, replaces each call of an
    `@__nnc_launch_<task>(%trip_count, captures...)` declaration (made by
    `nnc-outline-parallel-loops`) with: the captures stored into a stack
    context struct, and `nnc_runtime_parallel_for(0, %trip_count,
    @<task>_entry, %context)`, where `@<task>_entry(ptr, i64)` loads the
    captures and calls the task. The runtime's pool (runtime/ThreadPool.h)
    runs the iterations; the JIT resolves the symbol in the process.

    Example:

    ```mlir
    llvm.call @__nnc_launch_f_task0(%n, %p) : (i64, !llvm.ptr) -> ()
    // becomes
    llvm.store %p, %field0 : !llvm.ptr, !llvm.ptr   // into %context
    llvm.call @nnc_runtime_parallel_for(%zero, %n, %entry, %context)
        : (i64, i64, !llvm.ptr, !llvm.ptr) -> ()
    ```
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def OutlineParallelLoops : Pass<"nnc-outline-parallel-loops",
                                "mlir::ModuleOp"> {
  let summary = "Run outermost parallel loops on the runtime's thread pool";
  let description = [{
    Every outermost `scf.parallel` (no reductions) in a function becomes a
    task function `@<function>_task<k>(%i: index, captures...)` running
    iteration `%i` of its first dim (the other dims stay a sequential
    nest inside), and the loop becomes a call to the declaration
    `@__nnc_launch_<function>_task<k>(%trip_count, captures...)`.
    `nnc-lower-parallel-launches` turns that call, once in the LLVM
    dialect, into `nnc_runtime_parallel_for` over a context struct of the
    captures. Loops with less than `min-work` iterations in all (static
    trip counts multiplied, nested loops included, each iteration counted
    as the vector registers its transfers read, at least 1) stay
    sequential: handing them to the pool costs more than it saves.

    Example:

    ```mlir
    scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c32) step (%c1, %c1) {
      ... %a[%i, %j] ...
    }
    // becomes
    call @__nnc_launch_f_task0(%c64, %a) : (index, memref<64x32xf32>) -> ()
    func.func private @f_task0(%i: index, %a: memref<64x32xf32>) {
      scf.parallel (%j) = (%c0) to (%c32) step (%c1) { ... %a[%i, %j] ... }
      return
    }
    ```
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"16384",
           "Parallelize a loop nest only with at least this many "
           "iterations in all">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect",
                           "mlir::scf::SCFDialect"];
}

def ReassociateReductions : Pass<"nnc-reassociate-reductions"> {
  let summary = "Let LLVM vectorize floating-point reductions";
  let description = [{
    Adds the `reassoc` fast-math flag to the combiner of every
    `linalg.generic` reduction (the `arith.addf`, `mulf`, `maximumf`,
    `minimumf`, `maxnumf` or `minnumf` that folds an element into the
    accumulator and is yielded). LLVM then vectorizes the reduction loop
    with one partial result per lane, combined at the end: a fixed,
    different summation order (within the f32 tolerances of DESIGN.md
    section 9, usually more accurate than one long chain), the same for
    every thread count.

    Example:

    ```mlir
    %s = arith.addf %in, %acc : f32
    // becomes
    %s = arith.addf %in, %acc fastmath<reassoc> : f32
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

//===----------------------------------------------------------------------===//
// Math
//===----------------------------------------------------------------------===//

def ApproximateMath : Pass<"nnc-approximate-math"> {
  let summary = "Replace f32 exp, log and tanh by vectorizable polynomials";
  let description = [{
    Rewrites `math.exp`, `math.log`, `math.tanh`, `math.expm1` and
    `math.log1p` on f32 into polynomial approximations (arith and math.fma
    ops only, accurate to a few ulp; MLIR's, except a shorter exp of its
    own), so the loops of softmax, log-softmax and activations vectorize
    instead of calling libm once per element.

    Example:

    ```mlir
    %y = math.exp %x : f32
    // becomes a range reduction, a polynomial and an exponent insertion in
    // arith ops (fma, bitcast, shifts, selects).
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect"];
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

def LowerMemRefCopy : Pass<"nnc-lower-memref-copy"> {
  let summary = "Rewrite memref.copy as linalg.copy";
  let description = [{
    Bufferization and `buffer-results-to-out-params` express copies (e.g. a
    function returning its argument, or a view of it, into an out-param) as
    `memref.copy`. Its LLVM lowering calls `memrefCopy` from
    `libmlir_c_runner_utils` whenever a side is not contiguous, a library
    neither the JIT nor an AOT object links. As `linalg.copy` the copy
    becomes plain loops with the rest of the kernel (LLVM turns contiguous
    ones back into `memcpy`). Two contiguous buffers of more than two dims
    are copied as [outermost dim, the others joined]; views with short
    contiguous rows (fewer than 64 elements, not adjacent: a convolution's
    30-wide rows cut to 28) row by row, each row one vector, in an
    `scf.parallel` over the rows. Left to LLVM, a short innermost loop was
    unrolled and the next loop out vectorized with gathers.

    Example:

    ```mlir
    memref.copy %a, %b : memref<4xf32> to memref<4xf32>
    // becomes
    linalg.copy ins(%a : memref<4xf32>) outs(%b : memref<4xf32>)
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def PlanBuffers : Pass<"nnc-plan-buffers", "mlir::ModuleOp"> {
  let summary = "Place a function's temporary buffers in one arena by liveness";
  let description = [{
    Every statically shaped `memref.alloc` at the top level of a function
    body (the intermediates between kernels, after bufferization and
    results-to-out-params) gets an offset in one byte arena, allocated once
    per call at the start of the function; buffers whose live ranges (from
    the alloc to the last use of it or of any view of it) do not overlap
    share memory. Offsets are assigned greedily, largest buffer first, at
    the lowest `alignment`-aligned offset free for the buffer's whole live
    range. The arena carries `nnc.arena_size` (bytes) and `nnc.arena_buffers`
    (how many allocations it replaced). Buffers that may escape through an
    op other than a view are left alone.

    First, a buffer that is only copied into an output parameter (what
    `buffer-results-to-out-params` makes of a returned call result) is
    replaced by the output itself, and the copy disappears. Like
    results-to-out-params' own hoisting, this relies on the runtime's
    convention that output buffers do not overlap inputs.

    Example:

    ```mlir
    %a = memref.alloc() : memref<64xf32>   // dead before %b is allocated
    %b = memref.alloc() : memref<64xf32>
    // becomes
    %arena = memref.alloc() {alignment = 64 : i64, nnc.arena_buffers = 2,
                             nnc.arena_size = 256} : memref<256xi8>
    %a = memref.view %arena[%c0][] : memref<256xi8> to memref<64xf32>
    %b = memref.view %arena[%c0][] : memref<256xi8> to memref<64xf32>
    ```
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "Byte alignment of the arena and of every offset in it">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

#endif // NNC_CODEGEN_PASSES_TD
