# Unit tests of libpaceclient's text conversions (money, time). Included
# from tests/CMakeLists.txt inside its `if(CMOCKA_FOUND)` block; each test
# links the client library, which brings common/ and proto/ with it.
foreach(t money time)
	add_executable(test_${t} ${CMAKE_CURRENT_LIST_DIR}/test_${t}.c)
	target_link_libraries(test_${t} PRIVATE paceclient PkgConfig::CMOCKA)
	add_test(NAME unit_${t} COMMAND test_${t})
	set_tests_properties(unit_${t} PROPERTIES LABELS unit TIMEOUT 60)
endforeach()
