set terminal pngcairo size 1200,360 font ',10'
set output 'plot.png'
set multiplot layout 1,2 title '4 VMs, guests of 4 vCPUs on 4 CPUs (tcg-icount-4cpu), 2026-11-30'
set xlabel 'VMs on the same CPUs'
set ylabel 'median rate / baseline median'
set xtics 1
set grid
set key top left
set xrange [3.7:4.3]
set yrange [0.866307:1.37024]
set title 'ipi (calls/s)'
plot 'plot.dat' index 0 using ($2+-0.06):6:7:8 with yerrorlines title 'kvm', 'plot.dat' index 0 using ($2+0.0):9:10:11 with yerrorlines title 'user', 1 with lines lc rgb 'gray' dt 2 title 'baseline'
unset multiplot
