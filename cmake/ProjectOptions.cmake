# Compiler flags live only on these INTERFACE targets; every project target links them.

add_library(edgekit_warnings INTERFACE)
target_compile_options(edgekit_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
  -Wformat=2)

add_library(edgekit_hardening INTERFACE)
target_compile_options(edgekit_hardening INTERFACE -fstack-protector-strong)
target_compile_definitions(edgekit_hardening INTERFACE
  $<$<NOT:$<CONFIG:Debug>>:_FORTIFY_SOURCE=2>)

add_library(edgekit_sanitizers INTERFACE)
if(EDGEKIT_SANITIZE)
  target_compile_options(edgekit_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(edgekit_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

# Clang (clang-tidy, libFuzzer) needs to be told that Boost 1.74's Asio may use coroutines.
add_library(edgekit_asio INTERFACE)
target_compile_definitions(edgekit_asio INTERFACE
  BOOST_ASIO_NO_DEPRECATED
  $<$<CXX_COMPILER_ID:Clang>:BOOST_ASIO_HAS_CO_AWAIT=1>
  $<$<CXX_COMPILER_ID:Clang>:BOOST_ASIO_HAS_STD_COROUTINE=1>)

add_library(edgekit_project_options INTERFACE)
target_link_libraries(edgekit_project_options INTERFACE
  edgekit_warnings edgekit_hardening edgekit_sanitizers)

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()
