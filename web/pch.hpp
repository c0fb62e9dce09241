// Precompiled header of the web layer and its tests: nlohmann/json is the
// include every REST and quirectl file pays for (~1.5 s of parsing each).
// No CAF here: web/ does not know it (web/CMakeLists.txt).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
