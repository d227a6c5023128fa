set terminal pngcairo size 1200,360 font ',10'
set output 'plot.png'
set multiplot layout 1,2 title '2 VMs, guests of 2 vCPUs on 2 CPUs (tcg-2cpu), 2026-11-23'
set xlabel 'VMs on the same CPUs'
set ylabel 'median rate / baseline median'
set xtics 1
set grid
set key top left
set xrange [1.7:2.3]
set yrange [0.718602:1.24017]
set title 'ipi (calls/s)'
plot 'plot.dat' index 0 using ($2+-0.06):6:7:8 with yerrorlines title 'full', 1 with lines lc rgb 'gray' dt 2 title 'baseline'
set title 'control (rounds/s)'
plot 'plot.dat' index 1 using ($2+-0.06):6:7:8 with yerrorlines title 'full', 1 with lines lc rgb 'gray' dt 2 title 'baseline'
unset multiplot
