# `cmake --build build --target package` (or scripts/package.sh) makes
# swarm_VERSION_ARCH.deb. Its Depends are computed from the binaries by
# dpkg-shlibdeps (dpkg-dev), never typed by hand.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME swarm)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "swarm developers <swarm@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "load generator for servers that hold many long-lived TCP connections")
set(CPACK_PACKAGE_DESCRIPTION
    "swarm opens hundreds of thousands of persistent TCP connections to a server, runs a
YAML plan on each through a protocol module (Lua, or native C++), is steered
live from a telnet console, and reports connection states, rates, errors and
latency percentiles. Includes durian-server, the demo server of its examples,
and the headers, pkg-config and CMake files to build native modules.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)  # the exported symbols modules need stay in .dynsym
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "man-db, bash-completion, g++, pkg-config")
include(CPack)
