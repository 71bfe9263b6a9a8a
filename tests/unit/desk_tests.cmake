# Unit tests of pace-desk's model (client/desk/model.c, fmt.c): frames in,
# displayed strings and signals out, no GTK. Included from
# tests/CMakeLists.txt inside its `if(CMOCKA_FOUND)` block; only when the
# desk is built (GTK4 present and BUILD_DESK on).
if(TARGET desk_model)
	add_executable(test_desk_model ${CMAKE_CURRENT_LIST_DIR}/test_desk_model.c)
	target_link_libraries(test_desk_model PRIVATE desk_model PkgConfig::CMOCKA)
	add_test(NAME unit_desk_model COMMAND test_desk_model)
	set_tests_properties(unit_desk_model PROPERTIES LABELS unit TIMEOUT 60
		ENVIRONMENT "LANG=C.UTF-8;LC_ALL=C.UTF-8;LANGUAGE=;TZ=UTC")
endif()
