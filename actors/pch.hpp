// Precompiled header of the actor layer: CAF is the expensive include
// (~6 s per file), so every file of actors/ and its tests share it.
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>
