//===- codegen/PlanBuffers.cpp - temporaries in one arena by liveness -----===//
//
// One allocation per call instead of one per intermediate, and buffers whose
// lives do not overlap share bytes: the working set of a compiled step is
// the peak of simultaneously live intermediates, not their sum.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/MathExtras.h"

#define DEBUG_TYPE "nnc-plan-buffers"

namespace nnc {
#define GEN_PASS_DEF_PLANBUFFERS
#include "codegen/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// One temporary: its size and the positions (in the function body) of its
/// allocation and of the last op that uses it or a view of it.
struct PlannedBuffer {
  memref::AllocOp alloc;
  int64_t bytes;
  size_t start;
  size_t end;
  int64_t offset = -1;

  bool livesDuring(const PlannedBuffer &other) const {
    return start <= other.end && other.start <= end;
  }
};

/// Bytes of a statically shaped, identity-layout memref in the default
/// memory space, or nothing for any other type.
std::optional<int64_t> plannableBytes(MemRefType type) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getMemorySpace() || !type.getElementType().isIntOrFloat())
    return std::nullopt;
  int64_t elementBytes =
      llvm::divideCeil(type.getElementType().getIntOrFloatBitWidth(), 8);
  return type.getNumElements() * elementBytes;
}

/// The position of the last op of `block` that uses `alloc` or a view of
/// it, or nothing when the buffer may escape: returned, or passed to an op
/// that is not a view but yields a memref (which may alias it).
std::optional<size_t>
lastUse(memref::AllocOp alloc, Block &block,
        const llvm::DenseMap<Operation *, size_t> &position) {
  size_t last = position.lookup(alloc);
  SmallVector<Value> aliases = {alloc.getResult()};
  while (!aliases.empty()) {
    Value alias = aliases.pop_back_val();
    for (Operation *user : alias.getUsers()) {
      Operation *top = block.findAncestorOpInBlock(*user);
      if (!top || user->hasTrait<OpTrait::ReturnLike>())
        return std::nullopt;
      last = std::max(last, position.lookup(top));
      bool yieldsMemRef = llvm::any_of(user->getResultTypes(), [](Type type) {
        return isa<BaseMemRefType>(type);
      });
      if (!yieldsMemRef)
        continue;
      if (!isa<ViewLikeOpInterface>(user))
        return std::nullopt;
      llvm::append_range(aliases, user->getResults());
    }
  }
  return last;
}

/// The lowest aligned offset at which `buffer` overlaps no placed buffer
/// that is alive at the same time (first fit).
int64_t firstFit(const PlannedBuffer &buffer,
                 ArrayRef<const PlannedBuffer *> placed, int64_t alignment) {
  SmallVector<const PlannedBuffer *> conflicts;
  for (const PlannedBuffer *other : placed)
    if (other->livesDuring(buffer))
      conflicts.push_back(other);
  llvm::sort(conflicts, [](const PlannedBuffer *a, const PlannedBuffer *b) {
    return a->offset < b->offset;
  });
  int64_t offset = 0;
  for (const PlannedBuffer *other : conflicts) {
    if (offset + buffer.bytes <= other->offset)
      break;
    offset = std::max<int64_t>(
        offset, llvm::alignTo(other->offset + other->bytes, alignment));
  }
  return offset;
}

/// An intermediate whose only purpose is to be copied into an output
/// parameter (a kernel's result that the function returns) is computed in
/// the output directly: results-to-out-params gives a call's result its own
/// buffer and copies it out, which would cost a copy of every output.
void computeOutputsInPlace(func::FuncOp function) {
  Block &body = function.getBody().front();
  SmallVector<memref::CopyOp> copies(body.getOps<memref::CopyOp>());
  for (memref::CopyOp copy : copies) {
    auto output = dyn_cast<BlockArgument>(copy.getTarget());
    auto alloc = copy.getSource().getDefiningOp<memref::AllocOp>();
    if (!output || output.getOwner() != &body || !output.hasOneUse() ||
        !alloc || alloc->getBlock() != &body ||
        alloc.getType() != output.getType())
      continue;
    // The output is only written by this copy, so it may stand in for the
    // intermediate from its allocation on.
    alloc.getResult().replaceAllUsesWith(output);
    copy->erase();
    alloc->erase();
  }
}

void planFunction(func::FuncOp function, int64_t alignment) {
  Block &body = function.getBody().front();
  llvm::DenseMap<Operation *, size_t> position;
  for (auto [index, op] : llvm::enumerate(body.getOperations()))
    position[&op] = index;

  std::vector<PlannedBuffer> buffers;
  for (auto alloc : body.getOps<memref::AllocOp>()) {
    std::optional<int64_t> bytes = plannableBytes(alloc.getType());
    std::optional<uint64_t> requested = alloc.getAlignment();
    if (!bytes || (requested && int64_t(*requested) > alignment))
      continue;
    std::optional<size_t> end = lastUse(alloc, body, position);
    if (!end)
      continue;
    buffers.push_back({alloc,
                       static_cast<int64_t>(llvm::alignTo(
                           std::max<int64_t>(*bytes, 1), alignment)),
                       position[alloc], *end});
  }
  if (buffers.empty())
    return;

  // Largest first, so small buffers fill the gaps big ones leave.
  SmallVector<PlannedBuffer *> bySize;
  for (PlannedBuffer &buffer : buffers)
    bySize.push_back(&buffer);
  llvm::stable_sort(bySize, [](const PlannedBuffer *a, const PlannedBuffer *b) {
    return a->bytes > b->bytes;
  });
  SmallVector<const PlannedBuffer *> placed;
  int64_t arenaBytes = 0;
  for (PlannedBuffer *buffer : bySize) {
    buffer->offset = firstFit(*buffer, placed, alignment);
    arenaBytes = std::max(arenaBytes, buffer->offset + buffer->bytes);
    placed.push_back(buffer);
  }

  OpBuilder builder = OpBuilder::atBlockBegin(&body);
  Location loc = function.getLoc();
  auto arenaType = MemRefType::get({arenaBytes}, builder.getI8Type());
  auto arena = memref::AllocOp::create(builder, loc, arenaType,
                                       builder.getI64IntegerAttr(alignment));
  arena->setAttr("nnc.arena_size", builder.getI64IntegerAttr(arenaBytes));
  arena->setAttr("nnc.arena_buffers",
                 builder.getI64IntegerAttr(buffers.size()));
  for (PlannedBuffer &buffer : buffers) {
    builder.setInsertionPoint(buffer.alloc);
    Value offset = arith::ConstantIndexOp::create(
        builder, buffer.alloc.getLoc(), buffer.offset);
    auto view =
        memref::ViewOp::create(builder, buffer.alloc.getLoc(),
                               buffer.alloc.getType(), arena, offset, {});
    buffer.alloc.replaceAllUsesWith(view.getResult());
    buffer.alloc->erase();
  }
  LLVM_DEBUG(llvm::dbgs() << "@" << function.getSymName() << ": "
                          << buffers.size() << " buffers in " << arenaBytes
                          << " bytes\n");
}

struct PlanBuffersPass : nnc::impl::PlanBuffersBase<PlanBuffersPass> {
  using PlanBuffersBase::PlanBuffersBase;

  void runOnOperation() override {
    if (alignment < 1 || !llvm::isPowerOf2_64(alignment)) {
      getOperation()->emitError("nnc-plan-buffers: alignment must be a "
                                "power of two, got ")
          << alignment;
      return signalPassFailure();
    }
    for (auto function : getOperation().getOps<func::FuncOp>())
      if (!function.isExternal() && function.getBody().hasOneBlock()) {
        computeOutputsInPlace(function);
        planFunction(function, alignment);
      }
  }
};

} // namespace
