# Toolchain file: MIND 1024 board firmware (RV32IM controller) with Debian's
# riscv64-unknown-elf GCC 12 and picolibc (packages gcc-riscv64-unknown-elf,
# picolibc-riscv64-unknown-elf), with the flags known to work on this toolchain
# (firmware/README.md, "Build flags"):
#   -misa-spec=2.2   CSR instructions without zicsr (rv32im_zicsr picks no multilib)
#   --crt0=hosted    crt0 calls exit(main()) (the default one spins after main)
#   --param=min-pagesize=0   ROM is at address 0: no warnings on low pointers
# The board's memory (ROM, SRAM, stack) comes from the generated response file
# mind1024_board_link.rsp, added by firmware/CMakeLists.txt at link time.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv32)

set(MIND_FW_TRIPLE riscv64-unknown-elf)
find_program(CMAKE_C_COMPILER ${MIND_FW_TRIPLE}-gcc)
find_program(CMAKE_ASM_COMPILER ${MIND_FW_TRIPLE}-gcc)
find_program(CMAKE_OBJDUMP ${MIND_FW_TRIPLE}-objdump)
find_program(CMAKE_OBJCOPY ${MIND_FW_TRIPLE}-objcopy)
find_program(MIND_FW_SIZE ${MIND_FW_TRIPLE}-size)
if(NOT CMAKE_C_COMPILER)
  message(FATAL_ERROR "riscv64-unknown-elf-gcc not found: install the Debian package gcc-riscv64-unknown-elf")
endif()

set(MIND_FW_ARCH_FLAGS "-march=rv32im -mabi=ilp32 -misa-spec=2.2")
set(CMAKE_C_FLAGS_INIT
    "${MIND_FW_ARCH_FLAGS} --specs=picolibc.specs -Os -g -ffunction-sections -fdata-sections --param=min-pagesize=0")
set(CMAKE_ASM_FLAGS_INIT "${MIND_FW_ARCH_FLAGS} --specs=picolibc.specs -g")
set(CMAKE_EXE_LINKER_FLAGS_INIT "--crt0=hosted -Wl,--gc-sections")
set(CMAKE_EXECUTABLE_SUFFIX .elf)
set(CMAKE_EXECUTABLE_SUFFIX_C .elf)

# Compiler checks link a bare program: no board runtime yet, so test a library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
