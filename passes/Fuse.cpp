//===- passes/Fuse.cpp - nn-fuse: nn.fusion regions, one per kernel -------===//
//
// Groups nn ops into nn.fusion regions. Regions grow backwards from a root
// (the last op of a group in program order) by pulling in producers whose
// every user is already in the region: a fused intermediate then never
// leaves the kernel, and nothing (in particular no matmul) is recomputed.
// Op kinds come from a table, so a new op becomes fusible by adding a line.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "ir/NNDialect.h"
#include "ir/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <deque>

#define DEBUG_TYPE "nn-fuse"

namespace nnc {
#define GEN_PASS_DEF_NNFUSE
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

//===----------------------------------------------------------------------===//
// Op classes
//===----------------------------------------------------------------------===//

/// What an op is to fusion. Anything not in the table is a Barrier: it
/// stays outside every region and its edges are never fused.
enum class FusionClass { Elementwise, Reduction, Contraction, View, Barrier };

FusionClass classify(Operation *op) {
  static const llvm::StringMap<FusionClass> table = {
      // Elementwise and broadcasting (forward, then backward helpers).
      {"nn.add", FusionClass::Elementwise},
      {"nn.sub", FusionClass::Elementwise},
      {"nn.mul", FusionClass::Elementwise},
      {"nn.div", FusionClass::Elementwise},
      {"nn.neg", FusionClass::Elementwise},
      {"nn.exp", FusionClass::Elementwise},
      {"nn.log", FusionClass::Elementwise},
      {"nn.tanh", FusionClass::Elementwise},
      {"nn.sigmoid", FusionClass::Elementwise},
      {"nn.relu", FusionClass::Elementwise},
      {"nn.pow", FusionClass::Elementwise},
      {"nn.sqrt", FusionClass::Elementwise},
      {"nn.erf", FusionClass::Elementwise},
      {"nn.broadcast_to", FusionClass::Elementwise},
      {"nn.equal_mask", FusionClass::Elementwise},
      {"nn.relu_grad", FusionClass::Elementwise},
      {"nn.abs", FusionClass::Elementwise},
      {"nn.sign", FusionClass::Elementwise},
      {"nn.pow_tensor", FusionClass::Elementwise},
      {"nn.clamp", FusionClass::Elementwise},
      {"nn.convert", FusionClass::Elementwise},
      {"nn.where", FusionClass::Elementwise},
      {"nn.eq", FusionClass::Elementwise},
      {"nn.ne", FusionClass::Elementwise},
      {"nn.lt", FusionClass::Elementwise},
      {"nn.le", FusionClass::Elementwise},
      {"nn.gt", FusionClass::Elementwise},
      {"nn.ge", FusionClass::Elementwise},
      // Reductions, and ops built around one (softmax, losses).
      {"nn.sum", FusionClass::Reduction},
      {"nn.mean", FusionClass::Reduction},
      {"nn.max", FusionClass::Reduction},
      {"nn.softmax", FusionClass::Reduction},
      {"nn.log_softmax", FusionClass::Reduction},
      {"nn.cross_entropy", FusionClass::Reduction},
      {"nn.cross_entropy_grad", FusionClass::Reduction},
      {"nn.mse_loss", FusionClass::Reduction},
      {"nn.min", FusionClass::Reduction},
      {"nn.prod", FusionClass::Reduction},
      {"nn.logsumexp", FusionClass::Reduction},
      {"nn.var", FusionClass::Reduction},
      {"nn.std", FusionClass::Reduction},
      {"nn.argmax", FusionClass::Reduction},
      {"nn.argmin", FusionClass::Reduction},
      {"nn.any", FusionClass::Reduction},
      {"nn.all", FusionClass::Reduction},
      // Pooling reduces each window (nn.max_pool2d_backward reads its
      // windows at computed positions, tensor.extract: a barrier).
      {"nn.max_pool2d", FusionClass::Reduction},
      {"nn.avg_pool2d", FusionClass::Reduction},
      // Contractions: at most one per region, never duplicated.
      {"nn.matmul", FusionClass::Contraction},
      {"nn.conv2d", FusionClass::Contraction},
      {"nn.conv2d_backward_input", FusionClass::Contraction},
      {"nn.conv2d_backward_weight", FusionClass::Contraction},
      // Views: free to join any region.
      {"nn.reshape", FusionClass::View},
      {"nn.transpose", FusionClass::View},
      {"nn.permute", FusionClass::View},
      {"nn.slice", FusionClass::View},
      // Not listed, so barriers: nn.concat and nn.slice_grad write through
      // insert_slice chains, and nn.gather, nn.index_select and
      // nn.scatter_add read at data-dependent positions (tensor.extract);
      // linalg's producer-consumer fusion handles neither.
  };
  auto it = table.find(op->getName().getStringRef());
  return it == table.end() ? FusionClass::Barrier : it->second;
}

/// Elements of a tensor, dynamic dims counted as 1 (estimates are then per
/// unit of the batch dim, which still orders decisions).
int64_t elementCount(RankedTensorType tensor) {
  int64_t elements = 1;
  for (int64_t size : tensor.getShape())
    elements *= ShapedType::isDynamic(size) ? 1 : size;
  return elements;
}

/// Bytes of a tensor (as elementCount); 0 for anything else.
int64_t tensorBytes(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return 0;
  int64_t elementBits = tensor.getElementType().getIntOrFloatBitWidth();
  return elementCount(tensor) * std::max<int64_t>(1, elementBits / 8);
}

/// Bytes of all results of `op`.
int64_t resultBytes(Operation *op) {
  int64_t bytes = 0;
  for (Type type : op->getResultTypes())
    bytes += tensorBytes(type);
  return bytes;
}

//===----------------------------------------------------------------------===//
// Regions being formed
//===----------------------------------------------------------------------===//

/// The ops of one future nn.fusion; `root` is the last in program order and
/// the only one whose results are used outside.
struct FusionGroup {
  Operation *root = nullptr;
  SmallVector<Operation *> ops;
  /// The region's matmul or convolution, if it has one (at most one).
  Operation *contraction = nullptr;
  bool hasReduction = false;

  void add(Operation *op) {
    ops.push_back(op);
    FusionClass kind = classify(op);
    if (kind == FusionClass::Contraction)
      contraction = op;
    hasReduction |= kind == FusionClass::Reduction;
  }
  bool onlyViews() const {
    return llvm::all_of(
        ops, [](Operation *op) { return classify(op) == FusionClass::View; });
  }
};

struct EdgeDecision {
  bool fuse;
  std::string reason;
};

/// Forms the regions of one function body and reports every decision.
class RegionFormer {
public:
  RegionFormer(func::FuncOp func, bool report, int64_t minSavedBytes)
      : func(func), report(report), minSavedBytes(minSavedBytes) {}

  void run() {
    Block &body = func.getBody().front();
    for (auto [index, op] : llvm::enumerate(body.getOperations()))
      position[&op] = index;
    markMatmulEpilogues(body);
    // Consumers before producers: when a producer is considered, all its
    // users already belong to their regions.
    SmallVector<Operation *> ops;
    for (Operation &op : llvm::reverse(body.getOperations()))
      ops.push_back(&op);
    for (Operation *op : ops) {
      if (groupOf.count(op) ||
          !isa_and_nonnull<nn::NNDialect>(op->getDialect()) ||
          classify(op) == FusionClass::Barrier)
        continue;
      grow(newGroup(op));
    }
    mergeWithUsers(body);
    int64_t regions = 0, fusedOps = 0;
    for (FusionGroup &group : groups) {
      if (group.onlyViews())
        continue;
      buildRegion(group);
      ++regions;
      fusedOps += group.ops.size();
    }
    if (report)
      printReport(regions, fusedOps);
  }

private:
  /// Multi-output fusion: a region joins the regions that read its results
  /// when they work on tensors as large as the shared one (the Adam update
  /// reads a gradient for m, v and the parameter: one region reads it once
  /// and keeps m and v in registers for the parameter). Shared scalars (a
  /// bias correction read by every parameter's update) do not merge
  /// unrelated regions. Repeats until nothing merges.
  void mergeWithUsers(Block &body) {
    bool changed = true;
    while (changed) {
      changed = false;
      for (size_t group = 0; group < groups.size(); ++group)
        changed |= tryMergeWithUsers(group, body);
    }
  }

  /// Elements of the largest result among `ops`.
  static int64_t largestResult(ArrayRef<Operation *> ops) {
    int64_t largest = 0;
    for (Operation *op : ops)
      for (Type type : op->getResultTypes())
        if (auto tensor = dyn_cast<RankedTensorType>(type))
          largest = std::max(largest, elementCount(tensor));
    return largest;
  }

  bool tryMergeWithUsers(size_t group, Block &body) {
    if (groups[group].ops.empty() || groups[group].onlyViews())
      return false;
    // The other regions reading this one, and the bytes that stop moving:
    // one read per shared result, plus its write when nothing outside the
    // merged region reads it any more.
    llvm::SetVector<size_t> readers;
    int64_t saved = 0;
    for (Operation *op : groups[group].ops)
      for (OpResult result : op->getResults()) {
        auto tensor = dyn_cast<RankedTensorType>(result.getType());
        if (!tensor)
          continue;
        bool readByRegion = false, readElsewhere = false;
        for (Operation *user : result.getUsers()) {
          auto userGroup = groupOf.find(user);
          if (userGroup == groupOf.end()) {
            readElsewhere = true;
          } else if (userGroup->second != group) {
            if (elementCount(tensor) <
                largestResult(groups[userGroup->second].ops))
              return false; // a broadcast operand, not a shared stream
            readers.insert(userGroup->second);
            readByRegion = true;
          }
        }
        if (readByRegion)
          saved +=
              resultBytes(op) / op->getNumResults() * (readElsewhere ? 1 : 2);
      }
    if (readers.empty() || saved < minSavedBytes)
      return false;

    SmallVector<size_t> merged = {group};
    llvm::append_range(merged, readers);
    int contractions = 0;
    bool reduction = false;
    llvm::DenseSet<Operation *> members;
    size_t last = 0;
    for (size_t index : merged) {
      reduction |= groups[index].hasReduction;
      for (Operation *op : groups[index].ops) {
        contractions += classify(op) == FusionClass::Contraction;
        members.insert(op);
        last = std::max(last, position.lookup(op));
      }
    }
    if (contractions > 1 || (contractions == 1 && reduction))
      return false;
    // The merged region stands at its last op: every outside reader of a
    // member must come after it (else the merge would reorder a use before
    // its definition, or close a cycle through an outside op).
    for (Operation *op : members)
      for (Operation *user : op->getUsers()) {
        if (members.count(user))
          continue;
        Operation *top = body.findAncestorOpInBlock(*user);
        if (!top || position.lookup(top) <= last)
          return false;
      }

    for (size_t index : readers) {
      for (Operation *op : groups[index].ops)
        addTo(group, op);
      groups[index] = FusionGroup();
    }
    savedBytes += saved;
    merges.push_back(llvm::formatv("merged the region of {0}#{1} with {2} "
                                   "region(s) reading it: saves {3} bytes",
                                   groups[group].root->getName(),
                                   position.lookup(groups[group].root),
                                   readers.size(), saved)
                         .str());
    return true;
  }

  /// Elementwise chains that hang off a single-use matmul (bias add, then
  /// activation) belong to the matmul's region: growing backwards from a
  /// later reduction (softmax of the activations) would otherwise take the
  /// epilogue and leave the matmul alone, which saves nothing.
  void markMatmulEpilogues(Block &body) {
    for (Operation &op : body) {
      if (classify(&op) != FusionClass::Contraction)
        continue;
      Operation *current = &op;
      while (current->hasOneUse()) {
        Operation *user = *current->getUsers().begin();
        FusionClass kind = classify(user);
        if (user->getBlock() != &body ||
            (kind != FusionClass::Elementwise && kind != FusionClass::View))
          break;
        epilogueOf[user] = &op;
        current = user;
      }
    }
  }

  size_t newGroup(Operation *root) {
    groups.emplace_back();
    groups.back().root = root;
    addTo(groups.size() - 1, root);
    return groups.size() - 1;
  }

  void addTo(size_t group, Operation *op) {
    groups[group].add(op);
    groupOf[op] = group;
  }

  /// Pulls producers into `group` until no edge into it can be fused.
  /// Sweeps repeat until nothing changes: a producer rejected because one
  /// of its users was still outside (softmax's exp feeds both the sum and
  /// the division) joins once that user has.
  void grow(size_t group) {
    bool changed = true;
    while (changed) {
      changed = false;
      // Index loop: pulling a producer appends to the group's ops.
      for (size_t i = 0; i < groups[group].ops.size(); ++i) {
        Operation *consumer = groups[group].ops[i];
        for (Value operand : consumer->getOperands())
          changed |= considerEdge(operand.getDefiningOp(), consumer, group);
      }
    }
  }

  /// Decides one producer->consumer edge into `group`; true if the producer
  /// joined it.
  bool considerEdge(Operation *producer, Operation *consumer, size_t group) {
    // Arguments and constants are captured, not fused; non-nn ops are not
    // candidates at all.
    if (!producer || producer->getBlock() != consumer->getBlock() ||
        isa<nn::ConstantOp>(producer) ||
        !isa_and_nonnull<nn::NNDialect>(producer->getDialect()))
      return false;
    auto known = groupOf.find(producer);
    if (known != groupOf.end() && known->second == group)
      return false; // already in: the edge is fused
    EdgeDecision decision = decide(producer, consumer, group);
    recordEdge(producer, consumer, decision.reason);
    if (!decision.fuse)
      return false;
    savedBytes += 2 * resultBytes(producer);
    addTo(group, producer);
    return true;
  }

  /// Keeps the latest reason for each edge, in the order edges were first
  /// seen, for the report.
  void recordEdge(Operation *producer, Operation *consumer,
                  std::string reason) {
    auto key = std::make_pair(producer, consumer);
    auto [it, inserted] = edgeIndex.try_emplace(key, edges.size());
    if (inserted)
      edges.push_back({producer, consumer, std::move(reason)});
    else
      edges[it->second].reason = std::move(reason);
  }

  EdgeDecision decide(Operation *producer, Operation *consumer, size_t group) {
    FusionGroup &region = groups[group];
    FusionClass producerKind = classify(producer);
    StringRef producerName = producer->getName().getStringRef();
    if (producerKind == FusionClass::Barrier)
      return {false, ("not fused: " + producerName + " is not fusible").str()};
    if (groupOf.count(producer))
      return {false, "not fused: producer is in another region"};
    for (Operation *user : producer->getUsers()) {
      auto userGroup = groupOf.find(user);
      if (userGroup != groupOf.end() && userGroup->second == group)
        continue;
      if (producerKind == FusionClass::Contraction)
        return {false, ("not fused: would duplicate " + producerName +
                        " (it has users outside the region)")
                           .str()};
      return {false, "not fused: producer has users outside the region"};
    }
    if (classify(consumer) == FusionClass::Contraction)
      return {false, ("not fused: " + consumer->getName().getStringRef() +
                      " takes epilogues, not prologues")
                         .str()};
    if (producerKind == FusionClass::Contraction && region.contraction)
      return {false, ("not fused: the region already holds an " +
                      region.contraction->getName().getStringRef())
                         .str()};
    auto epilogue = epilogueOf.find(producer);
    if (region.hasReduction && epilogue != epilogueOf.end())
      return {false, llvm::formatv("not fused: kept with its {0}#{1} as an "
                                   "epilogue",
                                   epilogue->second->getName(),
                                   position.lookup(epilogue->second))
                         .str()};
    Operation *contraction =
        producerKind == FusionClass::Contraction && region.hasReduction
            ? producer
        : producerKind == FusionClass::Reduction ? region.contraction
                                                 : nullptr;
    if (contraction)
      return {false, ("not fused: a region with " +
                      contraction->getName().getStringRef() +
                      " takes only elementwise ops")
                         .str()};
    int64_t saved = 2 * resultBytes(producer);
    if (saved < minSavedBytes)
      return {false, llvm::formatv("not fused: saves only {0} bytes "
                                   "(min-saved-bytes = {1})",
                                   saved, minSavedBytes)
                         .str()};
    return {true, llvm::formatv("fused: saves {0} bytes", saved).str()};
  }

  /// What fusing `producer` into its region saves: its write and its read,
  /// or only the read when it is still read outside the region (a result
  /// of a multi-output region).
  int64_t savedByFusing(Operation *producer) {
    size_t group = groupOf.lookup(producer);
    bool stillWritten =
        llvm::any_of(producer->getUsers(), [&](Operation *user) {
          auto userGroup = groupOf.find(user);
          return userGroup == groupOf.end() || userGroup->second != group;
        });
    return (stillWritten ? 1 : 2) * resultBytes(producer);
  }

  /// One line per candidate edge: fused when both ends ended up in one
  /// region (whatever was decided on an earlier sweep), else the reason.
  void printReport(int64_t regions, int64_t fusedOps) {
    for (const Edge &edge : edges) {
      auto producerGroup = groupOf.find(edge.producer);
      bool fused = producerGroup != groupOf.end() &&
                   producerGroup->second == groupOf.lookup(edge.consumer);
      std::string reason = fused ? llvm::formatv("fused: saves {0} bytes",
                                                 savedByFusing(edge.producer))
                                       .str()
                                 : edge.reason;
      llvm::errs() << llvm::formatv(
          "nn-fuse: @{0}: {1}#{2} -> {3}#{4}: {5}\n", func.getSymName(),
          edge.producer->getName(), position.lookup(edge.producer),
          edge.consumer->getName(), position.lookup(edge.consumer), reason);
    }
    for (const std::string &merge : merges)
      llvm::errs() << llvm::formatv("nn-fuse: @{0}: {1}\n", func.getSymName(),
                                    merge);
    llvm::errs() << llvm::formatv(
        "nn-fuse: @{0}: {1} regions of {2} ops, {3} bytes of traffic "
        "saved\n",
        func.getSymName(), regions, fusedOps, savedBytes);
  }

  /// Moves the group's ops, in program order, into an nn.fusion at the
  /// position of the last of them; every result read outside the group
  /// becomes a result of the region.
  void buildRegion(FusionGroup &group) {
    llvm::sort(group.ops, [](Operation *a, Operation *b) {
      return a->isBeforeInBlock(b);
    });
    llvm::DenseSet<Operation *> members(group.ops.begin(), group.ops.end());
    SmallVector<Value> escaping;
    for (Operation *op : group.ops)
      for (Value result : op->getResults())
        if (llvm::any_of(result.getUsers(),
                         [&](Operation *user) { return !members.count(user); }))
          escaping.push_back(result);
    Operation *last = group.ops.back();
    OpBuilder builder(last);
    auto fusion = nn::FusionOp::create(builder, last->getLoc(),
                                       ValueRange(escaping).getTypes());
    Block *body = builder.createBlock(&fusion.getBody());
    for (Operation *op : group.ops)
      op->moveBefore(body, body->end());
    builder.setInsertionPointToEnd(body);
    nn::YieldOp::create(builder, last->getLoc(), escaping);
    for (auto [inside, outside] :
         llvm::zip_equal(escaping, fusion.getResults()))
      inside.replaceUsesWithIf(outside, [&](OpOperand &use) {
        return !fusion->isProperAncestor(use.getOwner());
      });
    LLVM_DEBUG(llvm::dbgs() << "formed " << fusion << "\n");
  }

  func::FuncOp func;
  bool report;
  int64_t minSavedBytes;
  int64_t savedBytes = 0;
  std::deque<FusionGroup> groups;
  llvm::DenseMap<Operation *, size_t> groupOf;
  llvm::DenseMap<Operation *, size_t> position;
  llvm::DenseMap<Operation *, Operation *> epilogueOf;
  std::vector<std::string> merges;
  struct Edge {
    Operation *producer;
    Operation *consumer;
    std::string reason;
  };
  std::vector<Edge> edges;
  llvm::DenseMap<std::pair<Operation *, Operation *>, size_t> edgeIndex;
};

struct NNFuse : public nnc::impl::NNFuseBase<NNFuse> {
  using NNFuseBase::NNFuseBase;

  void runOnOperation() override {
    getOperation()->walk([&](func::FuncOp func) {
      if (!func.isExternal() && func.getBody().hasOneBlock())
        RegionFormer(func, report, minSavedBytes).run();
    });
  }
};

} // namespace
