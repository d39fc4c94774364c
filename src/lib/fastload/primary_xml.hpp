// The fast primary.xml scanner: its entry points are declared in
// yumda/fastload.hpp (add_primary_xml, write_dep_index_from_primary); the
// scanner itself is primary_xml.cpp, its lexer primary_xml_lexer.hpp, what
// it makes of each package primary_xml_package.hpp.
#pragma once
#include "yumda/fastload.hpp"
