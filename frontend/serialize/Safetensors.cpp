//===- frontend/serialize/Safetensors.cpp - safetensors read/write --------===//
//
// The rules follow the format's reference implementation (the Rust crate
// behind the Python package, safetensors/src/tensor.rs): a header of at most
// 100 MB that is a JSON object, tensors whose data_offsets hold exactly
// shape * element size bytes and together cover the data buffer with no
// gap or overlap, and a writer that orders tensors by descending dtype, then
// name, and pads the header with spaces to 8 bytes.
//
//===----------------------------------------------------------------------===//
#include "frontend/serialize/Safetensors.h"

#include "frontend/TensorInternal.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>
#include <utility>
#include <vector>

// Tensor bytes are copied to and from files as they are in memory, and the
// format is little-endian.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors I/O assumes a little-endian host");

namespace nnc::safetensors {

namespace {

using nlohmann::json;

/// Bytes of the little-endian header size at the start of every file.
constexpr uint64_t kSizePrefixBytes = 8;
/// The reference implementation refuses larger headers.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

//===----------------------------------------------------------------------===//
// Dtypes
//===----------------------------------------------------------------------===//

/// Every dtype of safetensors' `Dtype` enum, in its declaration order: the
/// writer orders tensors by it, last first (checked against safetensors
/// 0.8: U64, I64, F64, C64, F32, U32, I32, BF16, F16, ..., U8, BOOL). Names
/// here that nnc lacks are reported as unsupported rather than unknown.
constexpr const char *kSafetensorsDtypes[] = {
    "BOOL",    "F4",      "F6_E2M3", "F6_E3M2", "U8",  "I8",   "F8_E5M2",
    "F8_E4M3", "F8_E8M0", "I16",     "U16",     "F16", "BF16", "I32",
    "U32",     "F32",     "C64",     "F64",     "I64", "U64"};

/// nnc's dtypes and their safetensors names, one line per dtype.
struct DtypeName {
  ScalarType type;
  const char *name;
};
constexpr DtypeName kDtypeNames[] = {
    {ScalarType::Float32, "F32"},   // torch.float32
    {ScalarType::Float64, "F64"},   // torch.float64
    {ScalarType::Float16, "F16"},   // torch.float16
    {ScalarType::BFloat16, "BF16"}, // torch.bfloat16
    {ScalarType::Int64, "I64"},     // torch.int64
    {ScalarType::Int32, "I32"},     // torch.int32
    {ScalarType::UInt8, "U8"},      // torch.uint8
    {ScalarType::Bool, "BOOL"},     // torch.bool
};

/// Position of `name` in kSafetensorsDtypes, or -1.
int dtypeRank(const std::string &name) {
  for (int i = 0; i < int(std::size(kSafetensorsDtypes)); ++i)
    if (name == kSafetensorsDtypes[i])
      return i;
  return -1;
}

std::optional<ScalarType> scalarTypeNamed(const std::string &name) {
  for (const DtypeName &entry : kDtypeNames)
    if (name == entry.name)
      return entry.type;
  return std::nullopt;
}

std::string supportedDtypeNames() {
  std::string names;
  for (const DtypeName &entry : kDtypeNames)
    names += std::string(names.empty() ? "" : ", ") + entry.name;
  return names;
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

/// One tensor as the header describes it.
struct HeaderEntry {
  std::string name;
  ScalarType dtype;
  std::string dtypeText;
  IntList shape;
  uint64_t begin, end;
};

[[noreturn]] void fail(const std::string &source, const std::string &message) {
  throw Error(source + ": " + message);
}

std::string offsetsText(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

/// Parses the header JSON, rejecting duplicate keys (nlohmann::json would
/// keep the last one silently; the format forbids them).
json parseHeaderJson(const std::string &text, const std::string &source) {
  std::vector<std::set<std::string>> keysPerObject;
  auto rejectDuplicates = [&](int, json::parse_event_t event, json &parsed) {
    if (event == json::parse_event_t::object_start)
      keysPerObject.emplace_back();
    else if (event == json::parse_event_t::object_end)
      keysPerObject.pop_back();
    else if (event == json::parse_event_t::key &&
             !keysPerObject.back().insert(parsed.get<std::string>()).second)
      fail(source,
           "duplicate key '" + parsed.get<std::string>() + "' in the header");
    return true;
  };
  try {
    return json::parse(text, rejectDuplicates);
  } catch (const json::parse_error &e) {
    // nlohmann's message starts with "[json.exception.parse_error.101] ".
    std::string what = e.what();
    std::size_t bracket = what.find("] ");
    if (bracket != std::string::npos)
      what = what.substr(bracket + 2);
    fail(source, "header is not valid JSON (file byte " +
                     std::to_string(kSizePrefixBytes + e.byte - 1) +
                     "): " + what);
  }
}

/// An array of non-negative integers, or nullopt.
std::optional<std::vector<uint64_t>> unsignedList(const json &value) {
  if (!value.is_array())
    return std::nullopt;
  std::vector<uint64_t> result;
  for (const json &element : value) {
    if (!element.is_number_unsigned())
      return std::nullopt;
    result.push_back(element.get<uint64_t>());
  }
  return result;
}

HeaderEntry parseEntry(const std::string &name, const json &info,
                       const std::string &source) {
  std::string where = source + ": tensor '" + name + "'";
  if (!info.is_object())
    throw Error(where +
                ": expected an object with dtype, shape and "
                "data_offsets, got a JSON " +
                info.type_name());
  for (const char *field : {"dtype", "shape", "data_offsets"})
    if (!info.contains(field))
      throw Error(where + ": missing '" + field + "'");

  HeaderEntry entry;
  entry.name = name;
  const json &dtype = info["dtype"];
  if (!dtype.is_string())
    throw Error(where + ": 'dtype' must be a string, got a JSON " +
                dtype.type_name());
  entry.dtypeText = dtype.get<std::string>();
  std::optional<ScalarType> type = scalarTypeNamed(entry.dtypeText);
  if (!type) {
    if (dtypeRank(entry.dtypeText) < 0)
      throw Error(where + ": unknown dtype '" + entry.dtypeText + "'");
    throw Error(
        where + ": dtype " + entry.dtypeText +
        " is not supported by nnc (supported: " + supportedDtypeNames() + ")");
  }
  entry.dtype = *type;

  std::optional<std::vector<uint64_t>> shape = unsignedList(info["shape"]);
  if (!shape)
    throw Error(where +
                ": 'shape' must be a list of non-negative integers, "
                "got " +
                info["shape"].dump());
  std::optional<std::vector<uint64_t>> offsets =
      unsignedList(info["data_offsets"]);
  if (!offsets || offsets->size() != 2 || (*offsets)[0] > (*offsets)[1])
    throw Error(where +
                ": 'data_offsets' must be [begin, end] with 0 <= "
                "begin <= end, got " +
                info["data_offsets"].dump());
  entry.begin = (*offsets)[0];
  entry.end = (*offsets)[1];

  // shape * element size, refusing sizes that overflow 64 bits.
  uint64_t bytes = elementSize(entry.dtype);
  bool overflow = false;
  for (uint64_t size : *shape) {
    entry.shape.push_back(int64_t(size));
    if (size > uint64_t(INT64_MAX) ||
        (size != 0 && bytes > uint64_t(INT64_MAX) / size))
      overflow = true;
    else
      bytes *= size;
  }
  if (overflow)
    throw Error(where + ": shape " + info["shape"].dump() +
                " has too many elements");
  if (entry.end - entry.begin != bytes)
    throw Error(where + ": data_offsets " +
                offsetsText(entry.begin, entry.end) + " hold " +
                std::to_string(entry.end - entry.begin) + " bytes but shape " +
                shapeToString(entry.shape) + " of " + entry.dtypeText +
                " needs " + std::to_string(bytes));
  return entry;
}

/// Checks that the tensors tile the data buffer [0, dataBytes) exactly.
void checkCoverage(std::vector<HeaderEntry> entries, uint64_t dataBytes,
                   const std::string &source) {
  for (const HeaderEntry &entry : entries)
    if (entry.end > dataBytes)
      fail(source, "tensor '" + entry.name + "': data_offsets " +
                       offsetsText(entry.begin, entry.end) + " end past the " +
                       std::to_string(dataBytes) + "-byte data buffer");
  std::sort(entries.begin(), entries.end(),
            [](const HeaderEntry &a, const HeaderEntry &b) {
              return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
            });
  uint64_t covered = 0;
  const HeaderEntry *previous = nullptr;
  for (const HeaderEntry &entry : entries) {
    if (entry.begin < covered)
      fail(source, "tensor '" + entry.name + "': data_offsets " +
                       offsetsText(entry.begin, entry.end) +
                       " overlap those of tensor '" + previous->name + "' " +
                       offsetsText(previous->begin, previous->end));
    if (entry.begin > covered)
      fail(source, "bytes [" + std::to_string(covered) + ", " +
                       std::to_string(entry.begin) +
                       ") of the data buffer belong to no tensor");
    covered = entry.end;
    previous = &entry;
  }
  if (covered != dataBytes)
    fail(source, "the data buffer is " + std::to_string(dataBytes) +
                     " bytes but the tensors cover only " +
                     std::to_string(covered));
}

/// Parses and validates a header describing a data buffer of `dataBytes`.
std::vector<HeaderEntry> parseHeader(const std::string &headerText,
                                     uint64_t dataBytes,
                                     const std::string &source,
                                     Metadata &metadata) {
  json header = parseHeaderJson(headerText, source);
  if (!header.is_object())
    fail(source, std::string("header must be a JSON object, got a JSON ") +
                     header.type_name());
  std::vector<HeaderEntry> entries;
  for (const auto &[key, value] : header.items()) {
    if (key != "__metadata__") {
      entries.push_back(parseEntry(key, value, source));
      continue;
    }
    if (!value.is_object())
      fail(source, std::string("'__metadata__' must be an object, got a "
                               "JSON ") +
                       value.type_name());
    for (const auto &[name, text] : value.items()) {
      if (!text.is_string())
        fail(source, "'__metadata__' entry '" + name +
                         "' must be a string, got a JSON " + text.type_name());
      metadata[name] = text.get<std::string>();
    }
  }
  checkCoverage(entries, dataBytes, source);
  return entries;
}

void *mutableBytes(const Tensor &t) {
  const TensorImpl &impl = *t.unsafeGetTensorImpl();
  return static_cast<char *>(impl.storage->data()) +
         impl.storageOffset * int64_t(elementSize(impl.dtype));
}

/// Copies `size` bytes at `offset` of the file into `destination`.
using ReadAt =
    std::function<void(uint64_t offset, void *destination, uint64_t size)>;

/// Loads a file of `totalBytes` whose bytes `readAt` provides.
Contents loadFrom(uint64_t totalBytes, const ReadAt &readAt,
                  const std::string &source) {
  if (totalBytes < kSizePrefixBytes)
    fail(source, "file is " + std::to_string(totalBytes) +
                     " bytes, too short for the 8-byte header size");
  unsigned char prefix[kSizePrefixBytes];
  readAt(0, prefix, kSizePrefixBytes);
  uint64_t headerBytes = 0;
  for (int i = int(kSizePrefixBytes) - 1; i >= 0; --i)
    headerBytes = headerBytes << 8 | prefix[i];
  uint64_t afterPrefix = totalBytes - kSizePrefixBytes;
  if (headerBytes > afterPrefix)
    fail(source, "header size " + std::to_string(headerBytes) +
                     " (file bytes 0-7) is larger than the " +
                     std::to_string(afterPrefix) +
                     " bytes that follow it; the file is truncated or not "
                     "safetensors");
  if (headerBytes > kMaxHeaderBytes)
    fail(source, "header size " + std::to_string(headerBytes) +
                     " exceeds safetensors' limit of " +
                     std::to_string(kMaxHeaderBytes) + " bytes");

  std::string headerText(headerBytes, '\0');
  readAt(kSizePrefixBytes, headerText.data(), headerBytes);
  Contents contents;
  uint64_t dataStart = kSizePrefixBytes + headerBytes;
  for (const HeaderEntry &entry : parseHeader(
           headerText, totalBytes - dataStart, source, contents.metadata)) {
    Tensor t = detail::allocate(entry.shape, entry.dtype);
    readAt(dataStart + entry.begin, mutableBytes(t), entry.end - entry.begin);
    contents.tensors.emplace(entry.name, std::move(t));
  }
  return contents;
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

/// A tensor to write, made contiguous.
struct TensorToWrite {
  std::string name;
  const char *dtype;
  int rank;
  Tensor data;
};

template <class Tensors>
std::vector<TensorToWrite> tensorsToWrite(const Tensors &tensors) {
  std::vector<TensorToWrite> result;
  for (const auto &item : tensors) {
    const std::string &name = item.first;
    const Tensor &t = item.second;
    if (!t.defined())
      throw Error("safetensors save: tensor '" + name + "' is undefined");
    const char *dtype = dtypeName(t.dtype());
    Tensor dense = t.is_contiguous() ? t : detail::denseCopy(t);
    result.push_back({name, dtype, dtypeRank(dtype), dense});
  }
  std::sort(result.begin(), result.end(),
            [](const TensorToWrite &a, const TensorToWrite &b) {
              return std::tie(b.rank, a.name) < std::tie(a.rank, b.name);
            });
  return result;
}

void write(std::ostream &out, const std::vector<TensorToWrite> &tensors,
           const Metadata &metadata) {
  // ordered_json keeps insertion order: "__metadata__" first, then the
  // tensors in file order, each as {"dtype", "shape", "data_offsets"}.
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty())
    header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const TensorToWrite &t : tensors) {
    uint64_t bytes = uint64_t(t.data.numel()) * elementSize(t.data.dtype());
    header[t.name] = {{"dtype", t.dtype},
                      {"shape", t.data.sizes()},
                      {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::ordered_json::type_error &) {
    throw Error("safetensors save: a tensor name or metadata string is not "
                "valid UTF-8");
  }
  text.append((8 - text.size() % 8) % 8, ' ');

  unsigned char prefix[kSizePrefixBytes];
  for (uint64_t i = 0, size = text.size(); i < kSizePrefixBytes; ++i)
    prefix[i] = static_cast<unsigned char>(size >> (8 * i));
  out.write(reinterpret_cast<const char *>(prefix), kSizePrefixBytes);
  out << text;
  for (const TensorToWrite &t : tensors)
    out.write(static_cast<const char *>(mutableBytes(t.data)),
              std::streamsize(t.data.numel() * elementSize(t.data.dtype())));
}

void writeFile(const std::vector<TensorToWrite> &tensors,
               const std::string &path, const Metadata &metadata) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out)
    throw Error(path + ": cannot open for writing (" + std::strerror(errno) +
                ")");
  write(out, tensors, metadata);
  out.close();
  if (!out)
    throw Error(path + ": writing failed (" + std::strerror(errno) + ")");
}

} // namespace

const char *dtypeName(ScalarType type) {
  for (const DtypeName &entry : kDtypeNames)
    if (entry.type == type)
      return entry.name;
  throw Error(std::string("safetensors: dtype ") + toString(type) +
              " has no safetensors name");
}

//===----------------------------------------------------------------------===//
// Public API
//===----------------------------------------------------------------------===//

Contents load_file_with_metadata(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(path + ": cannot open (" + std::strerror(errno) + ")");
  in.seekg(0, std::ios::end);
  std::streamoff totalBytes = in.tellg();
  if (!in || totalBytes < 0)
    throw Error(path + ": cannot determine the file size");
  auto readAt = [&](uint64_t offset, void *destination, uint64_t size) {
    in.seekg(std::streamoff(offset));
    in.read(static_cast<char *>(destination), std::streamsize(size));
    if (!in)
      throw Error(path + ": reading " + std::to_string(size) +
                  " bytes at offset " + std::to_string(offset) + " failed");
  };
  return loadFrom(totalBytes, readAt, path);
}

std::map<std::string, Tensor> load_file(const std::string &path) {
  return load_file_with_metadata(path).tensors;
}

Contents load_with_metadata(const std::string &bytes,
                            const std::string &source) {
  auto readAt = [&](uint64_t offset, void *destination, uint64_t size) {
    std::memcpy(destination, bytes.data() + offset, size);
  };
  return loadFrom(bytes.size(), readAt, source);
}

std::map<std::string, Tensor> load(const std::string &bytes,
                                   const std::string &source) {
  return load_with_metadata(bytes, source).tensors;
}

void save_file(const std::map<std::string, Tensor> &tensors,
               const std::string &path, const Metadata &metadata) {
  writeFile(tensorsToWrite(tensors), path, metadata);
}

void save_file(const OrderedDict<std::string, Tensor> &tensors,
               const std::string &path, const Metadata &metadata) {
  writeFile(tensorsToWrite(tensors.pairs()), path, metadata);
}

std::string save(const std::map<std::string, Tensor> &tensors,
                 const Metadata &metadata) {
  std::ostringstream out;
  write(out, tensorsToWrite(tensors), metadata);
  return out.str();
}

std::string save(const OrderedDict<std::string, Tensor> &tensors,
                 const Metadata &metadata) {
  std::ostringstream out;
  write(out, tensorsToWrite(tensors.pairs()), metadata);
  return out.str();
}

} // namespace nnc::safetensors
