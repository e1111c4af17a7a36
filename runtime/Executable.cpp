//===- runtime/Executable.cpp - Invoke a compiled entry point -------------===//
//
// Builds MLIR memref descriptors for caller buffers and calls the packed
// entry point. Every descriptor field is 8 bytes on a 64-bit target, so a
// rank-R descriptor is just 3 + 2R words and one routine serves every rank.
//
//===----------------------------------------------------------------------===//
#include "runtime/Executable.h"

#include <sstream>
#include <stdexcept>

namespace nnc::runtime {

std::size_t elementSize(ElementType type) {
  switch (type) {
  case ElementType::F64:
  case ElementType::I64:
    return 8;
  case ElementType::F32:
  case ElementType::I32:
    return 4;
  case ElementType::F16:
  case ElementType::BF16:
    return 2;
  case ElementType::U8:
  case ElementType::I1:
    return 1;
  }
  return 0;
}

const char *elementTypeName(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return "f32";
  case ElementType::F64:
    return "f64";
  case ElementType::F16:
    return "f16";
  case ElementType::BF16:
    return "bf16";
  case ElementType::I64:
    return "i64";
  case ElementType::I32:
    return "i32";
  case ElementType::U8:
    return "u8";
  case ElementType::I1:
    return "i1";
  }
  return "?";
}

Executable::Executable(std::string name, PackedEntryFn entry,
                       Signature signature, std::shared_ptr<void> keepAlive)
    : name_(std::move(name)), entry_(entry), signature_(std::move(signature)),
      keepAlive_(std::move(keepAlive)) {}

static std::string shapeString(const std::vector<int64_t> &shape) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < shape.size(); ++i)
    os << (i ? ", " : "")
       << (shape[i] < 0 ? std::string("?") : std::to_string(shape[i]));
  os << "]";
  return os.str();
}

static void checkBuffer(const std::string &fn, const char *role, size_t index,
                        const ArgSpec &spec, const BufferView &view) {
  auto fail = [&](const std::string &what) {
    std::ostringstream os;
    os << fn << ": " << role << " " << index << ": " << what;
    throw std::invalid_argument(os.str());
  };
  if (!view.data)
    fail("buffer has no data");
  if (view.type != spec.type)
    fail(std::string("expected element type ") + elementTypeName(spec.type) +
         ", got " + elementTypeName(view.type));
  if (view.shape.size() != spec.shape.size() ||
      view.strides.size() != view.shape.size())
    fail("expected shape " + shapeString(spec.shape) + ", got " +
         shapeString(view.shape));
  for (size_t d = 0; d < spec.shape.size(); ++d)
    if (spec.shape[d] >= 0 && spec.shape[d] != view.shape[d])
      fail("expected shape " + shapeString(spec.shape) + ", got " +
           shapeString(view.shape));
}

/// The bytes `view` spans, [first, last).
static std::pair<const char *, const char *> byteRange(const BufferView &view) {
  int64_t first = 0, last = 0; // element offsets of the extreme elements
  for (size_t d = 0; d < view.shape.size(); ++d) {
    if (view.shape[d] == 0)
      return {nullptr, nullptr};
    int64_t reach = (view.shape[d] - 1) * view.strides[d];
    (reach < 0 ? first : last) += reach;
  }
  auto *base = static_cast<const char *>(view.data);
  size_t size = elementSize(view.type);
  return {base + first * static_cast<int64_t>(size),
          base + (last + 1) * static_cast<int64_t>(size)};
}

// A donated input is written while other arguments may still be read (or
// written): sharing memory with one of them would give wrong results, so it
// is refused.
void Executable::checkDonatedInputsDoNotOverlap(
    const std::vector<BufferView> &inputs,
    const std::vector<BufferView> &outputs) const {
  auto overlap = [](const BufferView &a, const BufferView &b) {
    auto [aFirst, aLast] = byteRange(a);
    auto [bFirst, bLast] = byteRange(b);
    return aFirst && bFirst && aFirst < bLast && bFirst < aLast;
  };
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!signature_.inputs[i].donated)
      continue;
    auto fail = [&](const char *role, size_t j) {
      throw std::invalid_argument(
          name_ + ": input " + std::to_string(i) +
          " is donated (updated in place) but its buffer overlaps " + role +
          " " + std::to_string(j));
    };
    for (size_t j = 0; j < inputs.size(); ++j)
      if (j != i && overlap(inputs[i], inputs[j]))
        fail("input", j);
    for (size_t j = 0; j < outputs.size(); ++j)
      if (overlap(inputs[i], outputs[j]))
        fail("output", j);
  }
}

// Only the batch dimension may be dynamic (DESIGN.md §4), and the generated
// code takes every dynamic size from its arguments: buffers that disagree on
// it would be read or written out of bounds, so they are refused here.
void Executable::checkDynamicDimsAgree(
    const std::vector<BufferView> &inputs,
    const std::vector<BufferView> &outputs) const {
  int64_t batch = -1;
  std::string first;
  auto visit = [&](const char *role, size_t index, const ArgSpec &spec,
                   const BufferView &view) {
    for (size_t d = 0; d < spec.shape.size(); ++d) {
      if (spec.shape[d] >= 0)
        continue;
      std::string where = std::string(role) + " " + std::to_string(index) +
                          " dim " + std::to_string(d);
      if (batch < 0) {
        batch = view.shape[d];
        first = where;
      } else if (view.shape[d] != batch) {
        throw std::invalid_argument(
            name_ + ": dynamic dimensions disagree: " + first + " is " +
            std::to_string(batch) + " but " + where + " is " +
            std::to_string(view.shape[d]));
      }
    }
  };
  for (size_t i = 0; i < inputs.size(); ++i)
    visit("input", i, signature_.inputs[i], inputs[i]);
  for (size_t i = 0; i < outputs.size(); ++i)
    visit("output", i, signature_.outputs[i], outputs[i]);
}

void Executable::run(const std::vector<BufferView> &inputs,
                     const std::vector<BufferView> &outputs) const {
  if (inputs.size() != signature_.inputs.size() ||
      outputs.size() != signature_.outputs.size()) {
    std::ostringstream os;
    os << name_ << ": expected " << signature_.inputs.size() << " inputs and "
       << signature_.outputs.size() << " outputs, got " << inputs.size()
       << " and " << outputs.size();
    throw std::invalid_argument(os.str());
  }
  for (size_t i = 0; i < inputs.size(); ++i)
    checkBuffer(name_, "input", i, signature_.inputs[i], inputs[i]);
  for (size_t i = 0; i < outputs.size(); ++i)
    checkBuffer(name_, "output", i, signature_.outputs[i], outputs[i]);
  checkDynamicDimsAgree(inputs, outputs);
  checkDonatedInputsDoNotOverlap(inputs, outputs);

  // One descriptor per buffer: {allocated, aligned, offset, sizes, strides}.
  size_t count = inputs.size() + outputs.size();
  std::vector<std::vector<int64_t>> descriptors;
  descriptors.reserve(count);
  auto describe = [&](const BufferView &view) {
    std::vector<int64_t> words;
    words.reserve(3 + 2 * view.shape.size());
    words.push_back(reinterpret_cast<int64_t>(view.data));
    words.push_back(reinterpret_cast<int64_t>(view.data));
    words.push_back(0);
    words.insert(words.end(), view.shape.begin(), view.shape.end());
    words.insert(words.end(), view.strides.begin(), view.strides.end());
    descriptors.push_back(std::move(words));
  };
  for (const BufferView &view : inputs)
    describe(view);
  for (const BufferView &view : outputs)
    describe(view);

  std::vector<void *> descriptorPtrs(count);
  std::vector<void *> packedArgs(count);
  for (size_t i = 0; i < count; ++i) {
    descriptorPtrs[i] = descriptors[i].data();
    packedArgs[i] = &descriptorPtrs[i];
  }
  entry_(packedArgs.data());
}

} // namespace nnc::runtime
