# Embeds the web UI (web/static/) into the binary: run at build time as
#   cmake -DSTATIC_DIR=<web/static> -DOUTPUT=<file.cpp> -P embed_static.cmake
# it writes a .cpp defining web::embedded_static_files(), a table of every
# file of STATIC_DIR (flat, sorted by name): its name, content type, a strong
# ETag (the first 128 bits of its SHA-256, computed here, at build time) and
# its bytes as a string literal. No file system read happens at run time.
#
# A file name must be 1 to 64 of a-z 0-9 . _ - (what web/static_files.cpp
# serves) with a known extension; anything else fails the build rather than
# being silently left out.
cmake_minimum_required(VERSION 3.22)

if(NOT STATIC_DIR OR NOT OUTPUT)
  message(FATAL_ERROR "embed_static.cmake: set STATIC_DIR and OUTPUT")
endif()

set(types_html "text/html; charset=utf-8")
set(types_css "text/css; charset=utf-8")
set(types_js "text/javascript; charset=utf-8")
set(types_svg "image/svg+xml")
set(types_png "image/png")
set(types_ico "image/x-icon")
set(types_json "application/json")
set(types_txt "text/plain; charset=utf-8")
set(types_webmanifest "application/manifest+json")

file(GLOB files LIST_DIRECTORIES false RELATIVE ${STATIC_DIR} ${STATIC_DIR}/*)
list(SORT files)

# 32 bytes per line of the literal: each byte is written \xHH (4 characters);
# a hex escape never swallows the next byte because that one starts with '\'.
string(REPEAT "." 128 line_pattern)

set(body "")
set(table "")
set(index 0)
foreach(name ${files})
  if(NOT name MATCHES "^[a-z0-9._-]+$" OR name MATCHES "^\\.")
    message(FATAL_ERROR "embed_static.cmake: ${name}: a static file name is a-z 0-9 . _ - and no leading dot")
  endif()
  string(LENGTH "${name}" name_length)
  if(name_length GREATER 64)
    message(FATAL_ERROR "embed_static.cmake: ${name}: longer than 64 characters")
  endif()
  string(REGEX MATCH "[^.]+$" ext "${name}")
  if(NOT DEFINED types_${ext})
    message(FATAL_ERROR "embed_static.cmake: ${name}: unknown extension .${ext} (add its type here)")
  endif()
  set(type "${types_${ext}}")
  file(SHA256 ${STATIC_DIR}/${name} digest)
  string(SUBSTRING "${digest}" 0 32 tag)
  file(SIZE ${STATIC_DIR}/${name} size)
  file(READ ${STATIC_DIR}/${name} hex HEX)
  string(REGEX REPLACE "(..)" "\\\\x\\1" escaped "${hex}")
  string(REGEX REPLACE "(${line_pattern})" "\\1\"\n    \"" escaped "${escaped}")
  string(APPEND body "// ${name}\nconstexpr char file_${index}[] =\n    \"${escaped}\";\n\n")
  string(APPEND table "    {\"${name}\", \"${type}\", \"\\\"${tag}\\\"\", std::string_view(file_${index}, ${size})},\n")
  math(EXPR index "${index} + 1")
endforeach()

if(index EQUAL 0)
  message(FATAL_ERROR "embed_static.cmake: no files in ${STATIC_DIR}")
endif()

set(text "// Generated at build time by web/embed_static.cmake from web/static/: do not edit.
#include \"web/static_files.hpp\"

namespace quire::web {
namespace {

${body}constexpr static_file table[] = {
${table}};

}  // namespace

std::span<const static_file> embedded_static_files() { return table; }

}  // namespace quire::web
")

# Rewrite only on change, so an unchanged UI does not recompile.
if(EXISTS ${OUTPUT})
  file(READ ${OUTPUT} old)
  if(old STREQUAL text)
    return()
  endif()
endif()
file(WRITE ${OUTPUT} "${text}")
