# Installation layout and Debian packages. Included at the end of the
# top-level CMakeLists.txt, once every target exists.
#
# `cmake --install` puts, under CMAKE_INSTALL_PREFIX (use /usr for packages):
#   sbin/paced, bin/pace, bin/pace-desk          (install() next to each target)
#   lib/systemd/system/paced.service             (deploy/paced.service)
#   ${sysconfdir}/pace/paced.conf                (deploy/paced.conf.example)
#   share/pace/sql/NNN_*.sql                     (top-level CMakeLists.txt)
#   share/locale/<lang>/LC_MESSAGES/pace.mo      (po/CMakeLists.txt)
#   share/applications/org.pace.Desk.desktop     (deploy/org.pace.Desk.desktop)
#   share/doc/pace-server/                       (example config, operations docs)
#
# Components, one .deb each (`cpack -G DEB` in the build directory):
#   server  -> pace-server   paced, unit, config, migrations, docs
#   cli     -> pace-cli      pace and the translations (shared with the desktop)
#   desktop -> pace-desktop  pace-desk and its desktop entry (when built)
# Targets declared without COMPONENT land in the component named by
# CMAKE_INSTALL_DEFAULT_COMPONENT_NAME where their directory is added (see
# the top-level and client/ CMakeLists.txt).
#
# Package dependencies come from dpkg-shlibdeps (CPACK_DEBIAN_PACKAGE_SHLIBDEPS)
# for the libraries the binaries link, plus the few listed here.

# --- compiled-in paths -------------------------------------------------------
# The config file paced reads when none is named. With the packages' prefix
# /usr, GNUInstallDirs makes this /etc/pace/paced.conf.
set(PACE_CONFIG_PATH "${CMAKE_INSTALL_FULL_SYSCONFDIR}/pace/paced.conf"
	CACHE STRING "Default config file of paced")
target_compile_definitions(paced_core PUBLIC
	PACE_CONFIG_PATH="${PACE_CONFIG_PATH}")
get_filename_component(PACE_CONFIG_DIR ${PACE_CONFIG_PATH} DIRECTORY)

# --- server files -------------------------------------------------------------
# The unit names paced by its installed path.
file(READ ${CMAKE_SOURCE_DIR}/deploy/paced.service PACE_UNIT)
string(REPLACE "/usr/sbin/paced" "${CMAKE_INSTALL_FULL_SBINDIR}/paced"
	PACE_UNIT "${PACE_UNIT}")
file(WRITE ${CMAKE_BINARY_DIR}/deploy/paced.service "${PACE_UNIT}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
	${CMAKE_SOURCE_DIR}/deploy/paced.service)
install(FILES ${CMAKE_BINARY_DIR}/deploy/paced.service
	DESTINATION lib/systemd/system COMPONENT server)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/paced.conf.example
	DESTINATION ${PACE_CONFIG_DIR} RENAME paced.conf COMPONENT server)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/paced.conf.example
	${CMAKE_SOURCE_DIR}/docs/OPERATIONS.md ${CMAKE_SOURCE_DIR}/docs/SCALING.md
	DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/pace-server COMPONENT server)

# deploy/paced.conf.example is generated from paced's option table; the
# integration test test_90_config fails when it is out of date. Refresh it:
#   cmake --build . --target config-example
add_custom_target(config-example
	COMMAND paced --example-config --config-file= >
		${CMAKE_SOURCE_DIR}/deploy/paced.conf.example
	DEPENDS paced
	COMMENT "Regenerating deploy/paced.conf.example")

# --- desktop files ------------------------------------------------------------
if(TARGET pace-desk)
	install(FILES ${CMAKE_SOURCE_DIR}/deploy/org.pace.Desk.desktop
		DESTINATION ${CMAKE_INSTALL_DATADIR}/applications
		COMPONENT desktop)
endif()

# --- CPack: Debian packages ---------------------------------------------------
set(CPACK_PACKAGE_NAME pace)
set(CPACK_PACKAGE_VENDOR "Pace")
set(CPACK_PACKAGE_CONTACT "Pace operators <ops@pace.invalid>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
	"Sales performance tracking against targets, live")
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_COMPONENTS_ALL server cli)
if(TARGET pace-desk)
	list(APPEND CPACK_COMPONENTS_ALL desktop)
endif()

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME pace-server)
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION net)
# postgresql-client for `paced backup` (pg_dump); the server itself for the
# embedded default database, recommended so that paced can also run against
# an existing PostgreSQL without it.
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "adduser, postgresql-client")
set(CPACK_DEBIAN_SERVER_PACKAGE_RECOMMENDS "postgresql")
set(CPACK_DEBIAN_SERVER_PACKAGE_SUGGESTS "pgbouncer, haproxy")
set(CPACK_COMPONENT_SERVER_DESCRIPTION
	"Pace server (paced)\n paced stores every sales fact in PostgreSQL, recomputes the KPIs that\n changed and pushes them to subscribed clients; runs under systemd.")
configure_file(${CMAKE_SOURCE_DIR}/deploy/debian/conffiles.in
	${CMAKE_BINARY_DIR}/deploy/debian/server/conffiles @ONLY)
foreach(s postinst prerm postrm)
	configure_file(${CMAKE_SOURCE_DIR}/deploy/debian/server/${s}
		${CMAKE_BINARY_DIR}/deploy/debian/server/${s} COPYONLY)
endforeach()
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
	${CMAKE_BINARY_DIR}/deploy/debian/server/conffiles
	${CMAKE_BINARY_DIR}/deploy/debian/server/postinst
	${CMAKE_BINARY_DIR}/deploy/debian/server/prerm
	${CMAKE_BINARY_DIR}/deploy/debian/server/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_CLI_PACKAGE_NAME pace-cli)
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION utils)
set(CPACK_COMPONENT_CLI_DESCRIPTION
	"Pace command-line client (pace)\n Log calls, visits, deals and payments, online or offline, and watch KPIs\n live from a terminal. English and Simplified Chinese.")

set(CPACK_DEBIAN_DESKTOP_PACKAGE_NAME pace-desktop)
set(CPACK_DEBIAN_DESKTOP_PACKAGE_SECTION x11)
# The translations are in pace-cli (one gettext domain for both clients).
set(CPACK_DEBIAN_DESKTOP_PACKAGE_DEPENDS
	"pace-cli (= ${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE})")
set(CPACK_COMPONENT_DESKTOP_DESCRIPTION
	"Pace desktop dashboard (pace-desk)\n Live progress bars, pace chart, funnel, leaderboard and alerts as\n desktop notifications (GTK 4).")

include(CPack)
