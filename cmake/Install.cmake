# What `cmake --install build --prefix P` puts in P (and the .deb in /usr):
#   bin/swarm, bin/durian-server                    the tool and the demo server
#   include/swarm/*.hpp                             the native module API
#   lib/pkgconfig/swarm.pc, lib/cmake/swarm/        for building modules (pkg-config, CMake)
#   lib/swarm/modules/*.so                          the example native modules, built
#   share/swarm/examples/{protocols,scripts,native} plans, Lua modules, native sources
#   share/man/man1/{swarm,swarm-control,durian-server}.1.gz  manual pages
#   share/bash-completion/completions/swarm         completion of swarm's flags
# pkg-config and CMake files sit under lib/ (not the multiarch libdir): both
# tools search it, and they describe headers, not a library.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(SWARM_CMAKE_DIR lib/cmake/swarm)
file(STRINGS ${PROJECT_SOURCE_DIR}/include/swarm/module.hpp abi_line
     REGEX "kModuleAbiVersion = [0-9]+;")
string(REGEX MATCH "kModuleAbiVersion = ([0-9]+)" abi_line "${abi_line}")
set(SWARM_MODULE_ABI_VERSION ${CMAKE_MATCH_1})

install(TARGETS swarm durian-server RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS durian redis_native LIBRARY DESTINATION lib/swarm/modules)

# The module API: headers, the generated version header, pkg-config, CMake.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/swarm ${PROJECT_BINARY_DIR}/include/swarm
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.hpp")
# swarm.pc names the prefix it is installed to, known only at install time
# (`cmake --install --prefix P`, or /usr for the .deb): written then.
set(SWARM_INSTALL_PREFIX "@SWARM_INSTALL_PREFIX@")  # kept for install time
configure_file(cmake/swarm.pc.in ${PROJECT_BINARY_DIR}/swarm.pc.in @ONLY)
install(CODE "
  file(READ \"${PROJECT_BINARY_DIR}/swarm.pc.in\" pc)
  string(REPLACE \"@SWARM_INSTALL_PREFIX@\" \"\${CMAKE_INSTALL_PREFIX}\" pc \"\${pc}\")
  file(WRITE \"${PROJECT_BINARY_DIR}/swarm.pc\" \"\${pc}\")")
install(FILES ${PROJECT_BINARY_DIR}/swarm.pc DESTINATION lib/pkgconfig)
install(TARGETS swarm_module EXPORT swarmTargets)
install(EXPORT swarmTargets NAMESPACE swarm:: DESTINATION ${SWARM_CMAKE_DIR})
configure_package_config_file(cmake/swarmConfig.cmake.in ${PROJECT_BINARY_DIR}/swarmConfig.cmake
                              INSTALL_DESTINATION ${SWARM_CMAKE_DIR})
# 0.x: a new minor release may change the module API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/swarmConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/swarmConfig.cmake ${PROJECT_BINARY_DIR}/swarmConfigVersion.cmake
              cmake/SwarmModule.cmake DESTINATION ${SWARM_CMAKE_DIR})

# Examples: what the README and the man page run.
set(SWARM_EXAMPLES_DIR ${CMAKE_INSTALL_DATADIR}/swarm/examples)
install(DIRECTORY examples/protocols/ DESTINATION ${SWARM_EXAMPLES_DIR}/protocols
        FILES_MATCHING PATTERN "*.lua" PATTERN "README.md" PATTERN "native" EXCLUDE)
install(DIRECTORY examples/scripts/ DESTINATION ${SWARM_EXAMPLES_DIR}/scripts
        FILES_MATCHING PATTERN "*.yml")
install(FILES examples/protocols/native/durian.cpp examples/protocols/native/redis_native.cpp
        DESTINATION ${SWARM_EXAMPLES_DIR}/native)
install(FILES cmake/examples-native.cmake DESTINATION ${SWARM_EXAMPLES_DIR}/native
        RENAME CMakeLists.txt)

# Manual pages with the version filled in, compressed as Debian ships them
# (-n: no timestamp inside, so the .deb is reproducible).
foreach(page swarm.1 swarm-control.1 durian-server.1)
  configure_file(man/${page} ${PROJECT_BINARY_DIR}/man/${page} @ONLY)
  add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/man/${page}.gz
                     COMMAND gzip -9n -f -k ${PROJECT_BINARY_DIR}/man/${page}
                     DEPENDS ${PROJECT_BINARY_DIR}/man/${page} VERBATIM)
  list(APPEND man_pages ${PROJECT_BINARY_DIR}/man/${page}.gz)
endforeach()
add_custom_target(man_pages ALL DEPENDS ${man_pages})
install(FILES ${man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

install(FILES completions/swarm DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
